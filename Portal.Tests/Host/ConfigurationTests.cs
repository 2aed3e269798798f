using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Portal__PublicUrl", "not a url", "Portal:PublicUrl")]
    [InlineData("Portal__PublicUrl", "https://corp.example.com/portal", "Portal:PublicUrl 'https://corp.example.com/portal' has a path (/portal)")]
    [InlineData("Database__Provider", "Oracle", "Database:Provider")]
    [InlineData("Status__ProbeInterval", "00:00:00", "Status:ProbeInterval")]
    [InlineData("Status__MaxConcurrentProbes", "0", "Status:MaxConcurrentProbes")]
    [InlineData("Setup__SessionLifetime", "00:00:00", "Setup:SessionLifetime")]
    [InlineData("Setup__LinkLifetime", "60.00:00:00", "Setup:LinkLifetime '60.00:00:00' must be between 00:01:00 and 30.00:00:00")]
    [InlineData("Sessions__AbsoluteLifetime", "00:10:00", "Sessions:AbsoluteLifetime")]
    [InlineData("Sessions__RevalidationInterval", "00:00:00", "Sessions:RevalidationInterval")]
    [InlineData("Portal__TrustedProxies__0", "nginx.internal", "Portal:TrustedProxies:0 'nginx.internal' is not an IP address or CIDR network")]
    [InlineData("RateLimits__SignInPerMinute", "0", "RateLimits:SignInPerMinute must be between 1 and 10000")]
    [InlineData("Retention__SignInEvents", "01:00:00", "Retention:SignInEvents")]
    [InlineData("Audit__RetentionDays", "0", "Audit:RetentionDays must be between 1 and 36500")]
    [InlineData("Bitbucket__UserSearchMaxPages", "0", "Bitbucket:UserSearchMaxPages '0' is out of range")]
    [InlineData("Bitbucket__UserSearchTimeout", "00:00:00.5", "Bitbucket:UserSearchTimeout '00:00:00.5000000' is out of range")]
    [InlineData("Verify__ReturnTimeout", "00:30:00", "Verify:ReturnTimeout")]
    public async Task A_wrong_setting_stops_the_portal_with_a_message_naming_the_key(string variable, string value, string key)
    {
        var databasePath = TestPaths.NewDatabasePath();

        var (exitCode, output) = await PortalProcess.RunUntilExitAsync(databasePath, new Dictionary<string, string> { [variable] = value });

        Assert.Equal(1, exitCode);
        Assert.Contains(key, output, StringComparison.Ordinal);
        TestPaths.DeleteDatabase(databasePath);
    }
}
