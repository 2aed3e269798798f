using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Persistence;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// Sign-ins, Verify and the end of Setup Mode through the real portal write their audit entries, with the client's
/// address as the portal sees it; and after a whole create + verify + sign-in no secret value is anywhere in the log.
/// </summary>
public sealed class AuditHostTests
{
    private static Task<List<AuditEntry>> EntriesAsync(SignInScenario scenario) =>
        scenario.QueryAsync(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync());

    [Fact]
    public async Task A_sign_in_is_recorded_as_the_person_who_signed_in_from_their_address()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();

        await scenario.SignInAsync(browser);

        var entry = Assert.Single(await EntriesAsync(scenario), e => e.Kind == AuditKind.SignInSucceeded);
        var user = Assert.Single(await scenario.UsersAsync());
        Assert.Equal((AuditActorKind.Person, user.Id, "Ada Lovelace"), (entry.ActorKind, entry.ActorUserId, entry.ActorName));
        Assert.Equal((scenario.IntegrationId, SignInScenario.IntegrationName), (entry.IntegrationId, entry.IntegrationName));
        Assert.Equal("127.0.0.1", entry.ClientAddress);
        Assert.Equal("Signed in as Bitbucket user ada.", entry.Details);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_failed_sign_in_is_recorded_with_the_step_and_the_portals_reason()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { PortalClientSecret = "a-wrong-secret-pasted-by-mistake" });
        using var browser = scenario.NewBrowser();

        await scenario.SignInAsync(browser);

        var entry = Assert.Single(await EntriesAsync(scenario), e => e.Kind == AuditKind.SignInFailed);
        var recorded = Assert.Single(await scenario.SignInEventsAsync());
        Assert.Equal((AuditActorKind.Anonymous, "127.0.0.1"), (entry.ActorKind, entry.ClientAddress));
        Assert.Equal($"Failed at the Token step: {recorded.FailureReason}", entry.Details);
        Assert.DoesNotContain("a-wrong-secret-pasted-by-mistake", entry.Details, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Verify_is_recorded_as_the_administrator_who_ran_it()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var admin = await scenario.NewSetupBrowserAsync();

        await scenario.SignInAsync(admin, purpose: "verify");

        var entry = Assert.Single(await EntriesAsync(scenario), e => e.Kind == AuditKind.IntegrationVerified);
        Assert.Equal((AuditActorKind.SetupSession, "127.0.0.1", scenario.IntegrationId), (entry.ActorKind, entry.ClientAddress, entry.IntegrationId));
        Assert.Equal("Verify signed in as Bitbucket user ada.", entry.Details);
        Assert.DoesNotContain(await EntriesAsync(scenario), e => e.Kind == AuditKind.SignInSucceeded);
    }

    [Fact]
    public async Task A_failed_Verify_is_recorded_as_a_failed_verification()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { PortalClientSecret = "a-wrong-secret-pasted-by-mistake" });
        using var admin = await scenario.NewSetupBrowserAsync();

        await scenario.SignInAsync(admin, purpose: "verify");

        var entry = Assert.Single(await EntriesAsync(scenario), e => e.Kind == AuditKind.IntegrationVerificationFailed);
        Assert.Equal(AuditActorKind.SetupSession, entry.ActorKind);
        Assert.StartsWith("Failed at the Token step: ", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_sign_in_with_the_setup_session_records_the_whole_setup()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var setup = await scenario.NewSetupBrowserAsync();

        await scenario.SignInAsync(setup);

        var entries = await EntriesAsync(scenario);
        Assert.Equal([AuditKind.SetupModeStarted, AuditKind.IntegrationCreated, AuditKind.SetupModeEnded, AuditKind.SignInSucceeded], entries.Select(e => e.Kind));
        var ended = entries[2];
        Assert.Equal((AuditActorKind.SetupSession, "127.0.0.1", "Ada Lovelace"), (ended.ActorKind, ended.ClientAddress, ended.SubjectName));
        Assert.Equal("Signed in as Bitbucket user ada; this ended Setup Mode.", entries[3].Details);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_forwarded_client_address_is_recorded()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            PortalSettings = new Dictionary<string, string?> { ["Portal:TrustedProxies:0"] = "127.0.0.1" },
        });
        using var browser = scenario.NewBrowser();
        browser.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");

        await scenario.SignInAsync(browser);

        Assert.Equal("203.0.113.9", Assert.Single(await EntriesAsync(scenario), e => e.Kind == AuditKind.SignInSucceeded).ClientAddress);
    }

    [Fact]
    public async Task Without_trusted_proxies_a_forwarded_address_is_not_believed()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        browser.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");

        await scenario.SignInAsync(browser);

        Assert.Equal("127.0.0.1", Assert.Single(await EntriesAsync(scenario), e => e.Kind == AuditKind.SignInSucceeded).ClientAddress);
    }

    [Fact]
    public async Task The_setup_mode_command_at_the_console_is_recorded_as_the_system()
    {
        await using var host = new PortalHost();
        host.Start();

        var (exitCode, output) = await PortalProcess.RunUntilExitAsync(host.DatabasePath, new Dictionary<string, string>
        {
            ["Portal__PublicUrl"] = host.BaseUrl,
            ["DataProtection__CertificatePath"] = host.KeyFilePath,
        }, "setup-mode");

        Assert.True(exitCode == 0, output);
        await using var db = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var entry = await db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).LastAsync();
        Assert.Equal((AuditKind.SetupModeReentered, AuditActorKind.System, AuditLog.SystemName, null), (entry.Kind, entry.ActorKind, entry.ActorName, entry.ClientAddress));
    }

    [Fact]
    public async Task After_create_verify_and_sign_in_no_secret_value_is_anywhere_in_the_audit_table()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var setupToken = new Uri(scenario.Host.SetupLink).Query.Split("token=")[1];
        using var setup = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(setup, purpose: "verify");
        await scenario.SignInAsync(setup);

        var secrets = new List<string> { scenario.Registration.ClientSecret, setupToken };
        foreach (var exchange in scenario.Bitbucket.TokenExchanges)
        {
            secrets.AddRange(new[] { exchange.Code, exchange.IssuedAccessToken, exchange.IssuedRefreshToken, exchange.CodeVerifier }.OfType<string>());
        }
        var stored = await scenario.QueryAsync(async db => (
            Identities: await db.ExternalIdentities.AsNoTracking().ToListAsync(),
            Integration: await db.Integrations.AsNoTracking().SingleAsync()));
        secrets.AddRange(stored.Identities.SelectMany(i => new[] { i.ProtectedAccessToken, i.ProtectedRefreshToken }).OfType<string>());
        secrets.Add(stored.Integration.ProtectedClientSecret);
        Assert.True(secrets.Count >= 8, $"Too few secrets collected to make the test meaningful: {secrets.Count}");

        var entries = await EntriesAsync(scenario);
        Assert.Contains(entries, e => e.Kind == AuditKind.IntegrationCreated);
        Assert.Contains(entries, e => e.Kind == AuditKind.IntegrationVerified);
        Assert.Contains(entries, e => e.Kind == AuditKind.SignInSucceeded);
        var everyValue = string.Join("\n", entries.SelectMany(e => new[]
        {
            e.Kind.ToString(), e.ActorKind.ToString(), e.ActorName, e.SubjectName, e.IntegrationName, e.ClientAddress, e.Details,
        }));
        Assert.All(secrets.Where(s => s.Length >= 8), secret => Assert.DoesNotContain(secret, everyValue, StringComparison.Ordinal));
        var table = await AuditTableDumpAsync(scenario);
        Assert.All(secrets.Where(s => s.Length >= 8), secret => Assert.DoesNotContain(secret, table, StringComparison.Ordinal));
    }

    /// <summary>Every column of every row as SQLite stores it, so a column the entity does not map would be seen too.</summary>
    private static Task<string> AuditTableDumpAsync(SignInScenario scenario) => scenario.QueryAsync(async db =>
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM \"AuditEntries\"";
        await using var reader = await command.ExecuteReaderAsync();
        var text = new System.Text.StringBuilder();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(reader.GetValue(i)).Append('|');
            }
            text.AppendLine();
        }
        return text.ToString();
    });
}
