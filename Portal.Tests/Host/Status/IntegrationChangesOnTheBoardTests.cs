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
}
