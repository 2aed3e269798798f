using Portal.Core.Platforms.BitbucketServer;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Integrations;
using Portal.Core.Status;
using Portal.Tests.Core.OAuth1;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Core.Status.StatusTestData;

namespace Portal.Tests.Core.Status;

public sealed class StatusStoreTests : IDisposable
{
    private readonly TestDatabase database = new();
    private readonly FixedTimeProvider clock = new(Now);
    private readonly StatusStore store;

    public StatusStoreTests() => store = new StatusStore(database.Factory, clock, [BitbucketServerPlatform.KindOf]);

    private async Task<Guid> AddIntegrationAsync(string name = "Acme Bitbucket")
    {
        await using var db = database.CreateContext();
        var integration = new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = Guid.NewGuid(), Name = name, BaseUrl = "https://bitbucket.example.com", ClientId = "c", CreatedAt = Now };
        db.Integrations.Add(integration);
        await db.SaveChangesAsync();
        return integration.Id;
    }

    private static ProbeResult Row(Guid id, IntegrationProbeReport report, IntegrationStatus status) =>
        StatusStore.ToEntity(report, new IntegrationStatusSnapshot(Integration(id: id), status, "summary", report, SignInSummary.None, []));

    [Fact]
    public async Task Stored_results_come_back_with_their_steps_and_feed_the_strip()
    {
        var id = await AddIntegrationAsync();
        var older = Failed(ProbeProblem.Tls, ProbeStep.Tls, "The certificate is not trusted.", Now.AddHours(-3));
        var latest = Healthy(Now.AddMinutes(-1));

        await store.SaveAsync([Row(id, older, IntegrationStatus.TlsError), Row(id, latest, IntegrationStatus.Connected)], prune: false, CancellationToken.None);
        var (reports, history, _) = await store.LoadResultsAsync(CancellationToken.None);

        var report = reports[id].Report;
        Assert.Equal(latest.CheckedAt, report.CheckedAt);
        Assert.Equal(latest.Steps, report.Steps);
        Assert.Equal(latest.CertificateExpiresAt, report.CertificateExpiresAt);
        Assert.Equal([IntegrationStatus.TlsError, IntegrationStatus.Connected], history.OrderBy(h => h.CheckedAt).Select(h => h.Status));
    }

    [Fact]
    public async Task Results_older_than_25_hours_are_pruned()
    {
        var id = await AddIntegrationAsync();
        await store.SaveAsync([Row(id, Healthy(Now.AddHours(-26)), IntegrationStatus.Connected), Row(id, Healthy(Now.AddHours(-24.5)), IntegrationStatus.Connected)],
            prune: false, CancellationToken.None);

        await store.SaveAsync([Row(id, Healthy(Now), IntegrationStatus.Connected)], prune: true, CancellationToken.None);

        await using var db = database.CreateContext();
        var left = await db.ProbeResults.Select(r => r.CheckedAt).ToListAsync();
        Assert.Equal(2, left.Count);
        Assert.DoesNotContain(Now.AddHours(-26), left);
    }

    [Fact]
    public async Task Sign_in_summary_counts_failures_of_the_last_24_hours_and_keeps_the_last_reason()
    {
        var id = await AddIntegrationAsync();
        var other = await AddIntegrationAsync("Other");
        await using (var db = database.CreateContext())
        {
            db.SignInEvents.AddRange(
                new SignInEvent { IntegrationId = id, OccurredAt = Now.AddHours(-30), Succeeded = false, FailureReason = "Too old to count." },
                new SignInEvent { IntegrationId = id, OccurredAt = Now.AddHours(-5), Succeeded = true },
                new SignInEvent { IntegrationId = id, OccurredAt = Now.AddHours(-1), Succeeded = false, FailedStep = SignInStep.Token, FailureReason = "First.", ErrorCode = "invalid_grant" },
                new SignInEvent { IntegrationId = id, OccurredAt = Now.AddMinutes(-10), Succeeded = false, FailedStep = SignInStep.Token, FailureReason = "Bitbucket refused the client secret.", ErrorCode = "invalid_client" },
                new SignInEvent { IntegrationId = other, OccurredAt = Now.AddMinutes(-3), Succeeded = true });
            await db.SaveChangesAsync();
        }

        var all = await store.LoadSignInsAsync(null, CancellationToken.None);
        var one = await store.LoadSignInsAsync(id, CancellationToken.None);

        var expected = new SignInSummary(Now.AddHours(-5), 2, Now.AddMinutes(-10), "Bitbucket refused the client secret.", "invalid_client");
        Assert.Equal(expected, all[id]);
        Assert.Equal(expected, Assert.Single(one).Value);
        Assert.Equal(new SignInSummary(Now.AddMinutes(-3), 0, null, null), all[other]);
        Assert.True(all[id].FailingSinceLastSuccess);
    }

    [Fact]
    public async Task Results_of_an_integration_deleted_during_a_pass_are_dropped()
    {
        await store.SaveAsync([Row(Guid.NewGuid(), Healthy(), IntegrationStatus.Connected)], prune: false, CancellationToken.None);

        await using var db = database.CreateContext();
        Assert.Equal(0, await db.ProbeResults.CountAsync());
    }

    [Fact]
    public async Task A_result_of_settings_edited_or_of_an_integration_disabled_meanwhile_is_not_stored()
    {
        var edited = await AddIntegrationAsync("Edited");
        var disabled = await AddIntegrationAsync("Disabled");
        var unchanged = await AddIntegrationAsync("Unchanged");
        var checkedAs = new[] { edited, disabled, unchanged }.ToDictionary(id => id, id => Integration(id: id) with { Platform = BitbucketServerPlatform.KindOf.Key });
        // What another administrator saved while the checks ran.
        await using (var db = database.CreateContext())
        {
            (await db.Integrations.SingleAsync(i => i.Id == edited)).BaseUrl = "https://bitbucket.example.org";
            (await db.Integrations.SingleAsync(i => i.Id == disabled)).Enabled = false;
            await db.SaveChangesAsync();
        }

        await store.SaveAsync([Row(edited, Healthy(), IntegrationStatus.Connected), Row(disabled, Healthy(), IntegrationStatus.Connected), Row(unchanged, Healthy(), IntegrationStatus.Connected)],
            prune: false, CancellationToken.None, checkedAs);

        await using var check = database.CreateContext();
        Assert.Equal([unchanged], await check.ProbeResults.Select(r => r.IntegrationId).ToListAsync());
    }

    [Fact]
    public async Task A_stored_result_of_settings_edited_since_is_not_a_check_of_the_integration_as_it_is_but_stays_in_the_strip()
    {
        var edited = await AddIntegrationAsync("Edited");
        var trusted = await AddIntegrationAsync("Trusts a CA since");
        var unchanged = await AddIntegrationAsync("Unchanged");
        var storedBeforeTheColumn = await AddIntegrationAsync("Checked by an earlier version");
        var failed = Failed(ProbeProblem.Unreachable, ProbeStep.TcpConnect, "Nothing accepts connections at bitbucket.example.com:443.");
        var legacy = Row(storedBeforeTheColumn, failed, IntegrationStatus.Unreachable);
        legacy.CheckedSettings = null;
        await store.SaveAsync([Row(edited, failed, IntegrationStatus.Unreachable), Row(trusted, failed, IntegrationStatus.Unreachable),
            Row(unchanged, failed, IntegrationStatus.Unreachable), legacy], prune: false, CancellationToken.None);
        // Saved while the portal was stopped, or on another instance, before any check of the new settings.
        await using (var db = database.CreateContext())
        {
            (await db.Integrations.SingleAsync(i => i.Id == edited)).BaseUrl = "https://bitbucket.example.org";
            (await db.Integrations.SingleAsync(i => i.Id == trusted)).TrustedCaPem = "-----BEGIN CERTIFICATE-----";
            await db.SaveChangesAsync();
        }

        var (reports, history, latestIds) = await store.LoadResultsAsync(CancellationToken.None);
        var integrations = await store.LoadIntegrationsAsync(CancellationToken.None);

        Assert.Equal(new[] { unchanged, storedBeforeTheColumn }.Order(),
            integrations.Where(i => reports[i.Id].Checked(i)).Select(i => i.Id).Order());
        Assert.Equal(4, history.Count);
        Assert.Equal(4, latestIds.Count);
    }

    public void Dispose() => database.Dispose();
}
