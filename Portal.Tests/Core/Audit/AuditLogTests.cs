using Portal.Core.Platforms.BitbucketServer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Security;
using Portal.Core.Setup;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Audit;

/// <summary>Each administrator's action that exists writes its audit entry with the change, naming who, what, which integration and from where.</summary>
public sealed partial class AuditLogTests : IAsyncLifetime
{
    private const string Address = "198.51.100.7";
    private readonly TestDatabase database = new();
    private ServiceProvider services = null!;

    public Task InitializeAsync()
    {
        var collection = new ServiceCollection();
        database.Register(collection);
        collection.AddSingleton(new SecretProtector(new EphemeralDataProtectionProvider()));
        collection.AddScoped<IntegrationValidator>();
        collection.AddBitbucketPlatformForTests();
        collection.AddScoped<IntegrationService>();
        collection.AddIntegrationManagement();
        services = collection.AddTestAuthorization().BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        database.Dispose();
    }

    private static NewIntegration Acme(string name = "Acme Bitbucket", string? trustedCaPem = null) => new(Guid.NewGuid(), name, BitbucketServerPlatform.KindOf.Key,
        "https://bitbucket.example.com", "8.9.1", OAuthVersion.OAuth2, "portal-client", "s3cret-client-secret-value", TrustedCaPem: trustedCaPem);

    private async Task<List<AuditEntry>> EntriesAsync()
    {
        await using var db = database.CreateContext();
        return await db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
    }

    private async Task<Actor> AdaAsync()
    {
        var (_, ada) = await services.PersonAsync("Ada Lovelace", isAdministrator: true);
        return ada with { ClientAddress = Address };
    }

    [Fact]
    public async Task Creating_an_integration_records_who_created_it_from_where_without_its_secret()
    {
        var ada = await AdaAsync();
        var request = Acme();

        var result = await services.GetRequiredService<IntegrationService>().CreateAsync(ada, request);

        Assert.True(result.Value.Succeeded);
        var entry = Assert.Single(await EntriesAsync());
        Assert.Equal(AuditKind.IntegrationCreated, entry.Kind);
        Assert.Equal(AuditActorKind.Person, entry.ActorKind);
        Assert.Equal("Ada Lovelace", entry.ActorName);
        Assert.Equal(request.Id, entry.IntegrationId);
        Assert.Equal("Acme Bitbucket", entry.IntegrationName);
        Assert.Equal(Address, entry.ClientAddress);
        Assert.Equal("Bitbucket Data Center / Server at https://bitbucket.example.com, OAuth 2.0, Client ID portal-client", entry.Details);
        Assert.DoesNotContain(request.ClientSecret, entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_integration_that_is_not_created_leaves_no_entry()
    {
        var ada = await AdaAsync();
        var service = services.GetRequiredService<IntegrationService>();
        await service.CreateAsync(ada, Acme());

        var duplicate = await service.CreateAsync(ada, Acme());

        Assert.False(duplicate.Value.Succeeded);
        Assert.Single(await EntriesAsync());
    }

    [Fact]
    public async Task Disabling_and_enabling_are_recorded_and_a_change_to_the_same_value_is_not()
    {
        var integration = await services.CreateIntegrationAsync(Acme());
        var ada = await AdaAsync();
        var lifecycle = services.GetRequiredService<IntegrationLifecycle>();

        Assert.True((await lifecycle.SetEnabledAsync(ada, integration.Id, false)).Value.Done);
        Assert.True((await lifecycle.SetEnabledAsync(ada, integration.Id, false)).Value.Done);
        Assert.True((await lifecycle.SetEnabledAsync(ada, integration.Id, true)).Value.Done);

        var entries = (await EntriesAsync()).Where(e => e.Kind != AuditKind.IntegrationCreated).ToList();
        Assert.Equal([AuditKind.IntegrationDisabled, AuditKind.IntegrationEnabled], entries.Select(e => e.Kind));
        Assert.All(entries, e => Assert.Equal(("Ada Lovelace", Address, "Acme Bitbucket"), (e.ActorName, e.ClientAddress, e.IntegrationName)));
    }

    [Fact]
    public async Task A_refused_action_leaves_no_entry()
    {
        var integration = await services.CreateIntegrationAsync(Acme());
        var (_, grace) = await services.PersonAsync("Grace Hopper", isAdministrator: false);

        var result = await services.GetRequiredService<IntegrationLifecycle>().SetEnabledAsync(grace, integration.Id, false);

        Assert.Equal(AccessRefusalReason.NotAdministrator, result.Refusal?.Reason);
        Assert.Equal([AuditKind.IntegrationCreated], (await EntriesAsync()).Select(e => e.Kind));
    }

    [Fact]
    public async Task Granting_and_revoking_the_administrator_role_name_the_person_it_concerns()
    {
        var (_, adaSession) = await services.PersonAsync("Ada Lovelace", isAdministrator: true, canSignIn: true);
        var ada = adaSession with { ClientAddress = Address };
        var (grace, _) = await services.PersonAsync("Grace Hopper", isAdministrator: false);
        var roles = services.GetRequiredService<AdministratorRoles>();

        await roles.SetAsync(ada, grace.Id, true);
        await roles.SetAsync(ada, grace.Id, true);
        await roles.SetAsync(ada, grace.Id, false);

        var entries = await EntriesAsync();
        Assert.Equal([AuditKind.AdministratorGranted, AuditKind.AdministratorRevoked], entries.Select(e => e.Kind));
        Assert.All(entries, e => Assert.Equal(("Ada Lovelace", grace.Id, "Grace Hopper", Address), (e.ActorName, e.SubjectUserId, e.SubjectName, e.ClientAddress)));
    }

    [Fact]
    public async Task Revoking_the_last_administrator_is_refused_without_an_entry()
    {
        var (ada, actor) = await services.PersonAsync("Ada Lovelace", isAdministrator: true);

        Assert.Equal(RoleChange.LastAdministrator, (await services.GetRequiredService<AdministratorRoles>().SetAsync(actor, ada.Id, false)).Value);
        Assert.Empty(await EntriesAsync());
    }

    [Fact]
    public async Task Setup_Mode_started_by_the_portal_and_ended_by_a_setup_session_sign_in_are_recorded()
    {
        var setupMode = services.GetRequiredService<SetupModeService>();
        Assert.NotNull(await setupMode.IssueTokenAsync());
        var setupSession = await services.AdministratorAsync() with { ClientAddress = Address };
        var (ada, _) = await services.PersonAsync("Ada Lovelace", isAdministrator: false);

        Assert.True((await setupMode.EndWithAdministratorAsync(ada.Id, setupSession)).Ended);

        var entries = await EntriesAsync();
        Assert.Equal([AuditKind.SetupModeStarted, AuditKind.SetupModeEnded], entries.Select(e => e.Kind));
        Assert.Equal((AuditActorKind.System, AuditLog.SystemName, null), (entries[0].ActorKind, entries[0].ActorName, entries[0].ClientAddress));
        Assert.Equal((AuditActorKind.SetupSession, AuditLog.SetupSessionName, Address, "Ada Lovelace"),
            (entries[1].ActorKind, entries[1].ActorName, entries[1].ClientAddress, entries[1].SubjectName));
        Assert.Contains("became administrator", entries[1].Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Re_entering_Setup_Mode_with_the_command_is_recorded_as_the_system()
    {
        await services.PersonAsync("Ada Lovelace", isAdministrator: true);

        await services.GetRequiredService<SetupModeService>().ReenterAsync();

        var entry = Assert.Single(await EntriesAsync());
        Assert.Equal((AuditKind.SetupModeReentered, AuditActorKind.System), (entry.Kind, entry.ActorKind));
        Assert.Contains("setup-mode command", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_setup_link_is_issued_and_nothing_recorded_once_an_administrator_exists()
    {
        await services.PersonAsync("Ada Lovelace", isAdministrator: true);

        Assert.Null(await services.GetRequiredService<SetupModeService>().IssueTokenAsync());
        Assert.Empty(await EntriesAsync());
    }
}
