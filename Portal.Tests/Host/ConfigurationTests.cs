using System.Diagnostics;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Portal__PublicUrl", "not a url", "Portal:PublicUrl")]
    [InlineData("Database__Provider", "Oracle", "Database:Provider")]
    [InlineData("Status__ProbeInterval", "00:00:00", "Status:ProbeInterval")]
    [InlineData("Status__MaxConcurrentProbes", "0", "Status:MaxConcurrentProbes")]
    [InlineData("Setup__SessionLifetime", "00:00:00", "Setup:SessionLifetime")]
    [InlineData("Sessions__AbsoluteLifetime", "00:10:00", "Sessions:AbsoluteLifetime")]
    [InlineData("Sessions__RevalidationInterval", "00:00:00", "Sessions:RevalidationInterval")]
    [InlineData("Portal__TrustedProxies__0", "nginx.internal", "Portal:TrustedProxies:0 'nginx.internal' is not an IP address or CIDR network")]
    [InlineData("RateLimits__SignInPerMinute", "0", "RateLimits:SignInPerMinute must be between 1 and 10000")]
    [InlineData("Retention__SignInEvents", "01:00:00", "Retention:SignInEvents")]
    public async Task A_wrong_setting_stops_the_portal_with_a_message_naming_the_key(string variable, string value, string key)
    {
        var databasePath = TestPaths.NewDatabasePath();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Portal.dll")])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment[variable] = value;
        start.Environment["Database__ConnectionString"] = $"Data Source={databasePath}";
        start.Environment["DataProtection__CertificatePath"] = TestPaths.KeyFilePath(databasePath);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Urls"] = "http://127.0.0.1:0";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        Assert.Contains(key, await output + await errors, StringComparison.Ordinal);
        TestPaths.DeleteDatabase(databasePath);
    }
}
