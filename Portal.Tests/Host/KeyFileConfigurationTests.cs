using System.Diagnostics;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>A key file the portal cannot use stops it at start, before it serves anything, with the setting named.</summary>
public sealed class KeyFileConfigurationTests
{
    [Theory]
    [InlineData("wrong password", "DataProtection:CertificatePassword does not open the key file")]
    [InlineData("no private key", "holds a certificate without its private key")]
    [InlineData("cannot be created", "DataProtection:CertificatePath: no key file exists at")]
    public async Task An_unusable_key_file_stops_the_portal_with_a_message_naming_the_setting(string problem, string message)
    {
        var databasePath = TestPaths.NewDatabasePath();
        var keyFile = TestPaths.KeyFilePath(databasePath);
        var environment = new Dictionary<string, string>();
        switch (problem)
        {
            case "wrong password":
                TestKeyFiles.WriteRsa(keyFile, "the right one");
                environment["DataProtection__CertificatePassword"] = "a wrong one";
                break;
            case "no private key":
                TestKeyFiles.WriteWithoutPrivateKey(keyFile);
                break;
            case "cannot be created":
                Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
                File.WriteAllText(keyFile, "");
                keyFile = Path.Combine(keyFile, "data-protection.pfx"); // a folder that is a file
                break;
        }
        environment["DataProtection__CertificatePath"] = keyFile;
        try
        {
            var (exitCode, output) = await RunPortalUntilItExitsAsync(databasePath, environment);

            Assert.Equal(1, exitCode);
            Assert.Contains(message, output, StringComparison.Ordinal);
            Assert.DoesNotContain("/setup?token=", output, StringComparison.Ordinal);
            Assert.DoesNotContain("a wrong one", output, StringComparison.Ordinal);
        }
        finally
        {
            TestPaths.DeleteDatabase(databasePath);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunPortalUntilItExitsAsync(string databasePath, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Portal.dll")])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        start.Environment["Database__ConnectionString"] = $"Data Source={databasePath}";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Urls"] = "http://127.0.0.1:0";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output + await errors);
    }
}
