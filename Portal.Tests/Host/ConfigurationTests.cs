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
    [InlineData("Portal__TrustedProxies", "10.0.0.0/8, nginx.internal", "Portal:TrustedProxies:1 'nginx.internal' is not an IP address or CIDR network")]
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

    public static TheoryData<string, Dictionary<string, string>, string[]> StartFaults => new()
    {
        // A value the configuration cannot even convert: named with its key, and the format it needs.
        { "a duration written as 8h", new() { ["Setup__SessionLifetime"] = "8h" }, ["Setup:SessionLifetime", "[d.]hh:mm:ss"] },
        { "a switch written as yes", new() { ["Status__Enabled"] = "yes" }, ["Status:Enabled", "true or false"] },
        // Two sections wrong at once: both named, not one crash.
        { "two sections wrong", new() { ["Portal__PublicUrl"] = "not a url", ["Status__ProbeInterval"] = "00:00:00" }, ["Portal:PublicUrl", "Status:ProbeInterval"] },
        // A PostgreSQL connection string left with the SQLite provider.
        { "a PostgreSQL string for SQLite", new() { ["Database__Provider"] = "Sqlite", ["Database__ConnectionString"] = "Host=db.example.com;Database=portal" }, ["is not a SQLite connection string", "Database:Provider"] },
        // A database folder that cannot be created.
        { "an unwritable database folder", new() { ["Database__Provider"] = "Sqlite", ["Database__ConnectionString"] = "Data Source=/proc/portal-test/portal.db" }, ["/proc/portal-test", "could not be created"] },
    };

    [Theory]
    [MemberData(nameof(StartFaults))]
    public async Task A_start_fault_stops_the_portal_with_a_message_instead_of_a_crash(string fault, Dictionary<string, string> environment, string[] expected)
    {
        var databasePath = TestPaths.NewDatabasePath();

        var (exitCode, output) = await PortalProcess.RunUntilExitAsync(databasePath, environment);

        Assert.True(exitCode == 1, $"{fault}: exit code {exitCode}\n{output}");
        foreach (var text in expected)
        {
            Assert.Contains(text, output, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        TestPaths.DeleteDatabase(databasePath);
    }

    [Fact]
    public async Task A_misspelt_setting_is_pointed_out_at_start_with_the_one_it_probably_meant()
    {
        var databasePath = TestPaths.NewDatabasePath();

        // The command stops after the checks every start runs, so no portal has to be stopped.
        var (exitCode, output) = await PortalProcess.RunUntilExitAsync(databasePath,
            new Dictionary<string, string> { ["Sessions__IdleTimout"] = "01:00:00", ["Sesions__AbsoluteLifetime"] = "1.00:00:00" }, "setup-mode");

        Assert.True(exitCode == 0, output);
        Assert.Contains("The setting Sessions:IdleTimout is not one the portal reads, so it has no effect. Did you mean Sessions:IdleTimeout?", output, StringComparison.Ordinal);
        Assert.Contains("The settings section Sesions is not one the portal reads, so its settings have no effect. Did you mean Sessions?", output, StringComparison.Ordinal);
        Assert.DoesNotContain("01:00:00", output, StringComparison.Ordinal);
        TestPaths.DeleteDatabase(databasePath);
    }

    [Fact]
    public async Task A_mistyped_command_is_refused_instead_of_starting_a_portal()
    {
        var databasePath = TestPaths.NewDatabasePath();

        var (exitCode, output) = await PortalProcess.RunUntilExitAsync(databasePath, new Dictionary<string, string>(), "setup_mode");

        Assert.Equal(1, exitCode);
        Assert.Contains("'setup_mode' is not a command. The only command is setup-mode", output, StringComparison.Ordinal);
        TestPaths.DeleteDatabase(databasePath);
    }

    [Fact]
    public async Task A_port_in_use_stops_the_portal_naming_the_address_and_the_setting()
    {
        using var occupied = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupied.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)occupied.LocalEndpoint).Port}";
        var databasePath = TestPaths.NewDatabasePath();

        var (exitCode, output) = await PortalProcess.RunUntilExitAsync(databasePath, new Dictionary<string, string> { ["Urls"] = url, ["ASPNETCORE_URLS"] = url });

        Assert.True(exitCode == 1, output);
        Assert.Contains($"The portal cannot start: Failed to bind to address {url}", output, StringComparison.Ordinal);
        Assert.Contains("set Urls in appsettings.json", output, StringComparison.Ordinal);
        TestPaths.DeleteDatabase(databasePath);
    }
}
