using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Status;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host.Status;

/// <summary>
/// An administrator's change to the integrations reaches the status board (and so every open dashboard) when it is
/// committed, not with the next pass of checks: here the scheduler does not run at all.
/// </summary>
public sealed class IntegrationChangesOnTheBoardTests : IDisposable
{
    private readonly TestDatabase database = new();
    private readonly PortalHost host;

    public IntegrationChangesOnTheBoardTests()
    {
        host = new PortalHost(database.Path, new Dictionary<string, string?> { ["Status:Enabled"] = "false" });
        host.Start();
    }

    public void Dispose()
    {
        host.Dispose();
        database.Dispose();
    }

    [Fact]
    public async Task Created_edited_trusted_disabled_and_deleted_integrations_show_on_the_board_at_once()
    {
        var services = host.Services;
        await services.GetRequiredService<IntegrationStatusService>().EnsureBoardAsync();
        var board = services.GetRequiredService<StatusBoard>();
        var changed = new List<StatusBoardChange>();
        board.Changed += changed.Add;
        var administrator = await services.AdministratorAsync();

        var created = await services.CreateIntegrationAsync(new NewIntegration(Guid.NewGuid(), "Acme Bitbucket", BitbucketServerPlatform.KindOf.Key,
            "https://bitbucket.example.com", "8.9.1", OAuthVersion.OAuth2, "client-id", new string('a', 64)));
        Assert.Equal(IntegrationStatus.NotChecked, board.Find(created.Id)!.Status);
        Assert.Contains(changed, c => c.IntegrationId == created.Id);

        await using var scope = services.CreateAsyncScope();
        var edited = await scope.ServiceProvider.GetRequiredService<IntegrationEditing>().EditAsync(administrator,
            new IntegrationEdit(created.Id, "Acme Bitbucket EU", created.BaseUrl, created.ServerVersion, OAuthVersion.OAuth2, "client-id", ClientSecret: ""));
        Assert.True(edited.Value!.Succeeded, string.Join("; ", edited.Value.Errors.Select(e => e.ErrorMessage)));
        Assert.Equal("Acme Bitbucket EU", board.Find(created.Id)!.Integration.Name);

        using var certificate = FakeCertificate.CreateSelfSigned();
        var trusted = await scope.ServiceProvider.GetRequiredService<IntegrationTrustService>().TrustAsync(administrator, created.Id, certificate.ExportCertificatePem());
        Assert.True(trusted.Value!.Succeeded, trusted.Value.Problem);
        Assert.Equal(trusted.Value.Certificate!.NotAfter, board.Find(created.Id)!.Integration.TrustedCaExpiresAt);

        var lifecycle = scope.ServiceProvider.GetRequiredService<IntegrationLifecycle>();
        Assert.True((await lifecycle.SetEnabledAsync(administrator, created.Id, enabled: false)).Value!.Done);
        Assert.Equal(IntegrationStatus.Disabled, board.Find(created.Id)!.Status);

        Assert.True((await lifecycle.DeleteAsync(administrator, created.Id, "Acme Bitbucket EU")).Value!.Done);
        Assert.Null(board.Find(created.Id));
        Assert.Contains(changed, c => c.IntegrationId == created.Id && c.Snapshot is null);
    }

    private Task<Integration> AddIntegrationAsync(string name, string baseUrl) =>
        host.Services.CreateIntegrationAsync(new NewIntegration(Guid.NewGuid(), name, BitbucketServerPlatform.KindOf.Key,
            baseUrl, "8.9.1", OAuthVersion.OAuth2, "client-id", new string('a', 64)));

    /// <summary>The board loaded, as a dashboard or the first pass loads it, and where checks are stored.</summary>
    private async Task<(IntegrationStatusService Service, StatusBoard Board, StatusStore Store)> LoadedBoardAsync()
    {
        var service = host.Services.GetRequiredService<IntegrationStatusService>();
        await service.EnsureBoardAsync();
        return (service, host.Services.GetRequiredService<StatusBoard>(), host.Services.GetRequiredService<StatusStore>());
    }

    private static IntegrationProbeReport Unreachable() => Portal.Tests.Core.Status.StatusTestData.Failed(ProbeProblem.Unreachable, ProbeStep.TcpConnect,
        "Nothing accepts connections at old-host.example.com:443.", DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_result_another_instance_stored_of_settings_edited_since_is_not_shown_and_one_of_the_current_settings_is()
    {
        var integration = await AddIntegrationAsync("Acme Bitbucket", "https://bitbucket.example.com");
        var (statusService, board, store) = await LoadedBoardAsync();
        var current = board.Find(integration.Id)!;
        var unreachable = Unreachable();
        // Checked with the address from before an edit, and stored by the other instance just before the edit was committed.
        var ofOldSettings = current with { Integration = current.Integration with { BaseUrl = "https://old-host.example.com" } };
        var stale = await store.SaveAsync([StatusStore.ToEntity(unreachable, ofOldSettings)], prune: false, CancellationToken.None);

        await statusService.ShowResultsStoredElsewhereAsync(stale, CancellationToken.None);

        Assert.Equal(IntegrationStatus.NotChecked, board.Find(integration.Id)!.Status);

        var fresh = await store.SaveAsync([StatusStore.ToEntity(unreachable with { CheckedAt = DateTimeOffset.UtcNow }, current)], prune: false, CancellationToken.None);
        await statusService.ShowResultsStoredElsewhereAsync(fresh, CancellationToken.None);

        Assert.Equal(IntegrationStatus.Unreachable, board.Find(integration.Id)!.Status);
    }

    [Fact]
    public async Task After_a_restart_an_integration_edited_since_its_last_check_is_not_checked_yet_and_one_unchanged_keeps_its_result()
    {
        var edited = await AddIntegrationAsync("Acme Bitbucket", "https://old-host.example.com");
        var unchanged = await AddIntegrationAsync("Globex Bitbucket", "https://bitbucket.globex.example");
        var (_, board, store) = await LoadedBoardAsync();
        var unreachable = Unreachable();
        foreach (var id in new[] { edited.Id, unchanged.Id })
        {
            board.PublishReport(id, unreachable);
            await store.SaveAsync([StatusStore.ToEntity(unreachable, board.Find(id)!)], prune: false, CancellationToken.None);
        }
        host.Dispose();
        // What an administrator changed through another instance while this one was stopped.
        await using (var db = database.CreateContext())
        {
            (await db.Integrations.FindAsync(edited.Id))!.BaseUrl = "https://bitbucket.example.com";
            await db.SaveChangesAsync();
        }

        await using var restarted = new PortalHost(database.Path, new Dictionary<string, string?> { ["Status:Enabled"] = "false" });
        restarted.Start();
        await restarted.Services.GetRequiredService<IntegrationStatusService>().EnsureBoardAsync();
        var reloaded = restarted.Services.GetRequiredService<StatusBoard>();

        Assert.Equal(IntegrationStatus.NotChecked, reloaded.Find(edited.Id)!.Status);
        Assert.Equal(IntegrationStatus.Unreachable, reloaded.Find(unchanged.Id)!.Status);
        // The check still happened: the 24-hour strip counts it.
        Assert.Equal(1, reloaded.Find(edited.Id)!.Last24Hours.Sum(h => h.Checks));
    }
}
