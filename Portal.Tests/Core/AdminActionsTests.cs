using Portal.Core.Platforms.BitbucketServer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

/// <summary>Administrators' actions are authorized when they run, and database failures become messages.</summary>
public sealed class AdminActionsTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private readonly DiskFullInterceptor diskFull = new();
    private ServiceProvider services = null!;

    public Task InitializeAsync()
    {
        var collection = new ServiceCollection();
        database.Register(collection, busyTimeoutSeconds: 1, diskFull);
        collection.AddSingleton(new SecretProtector(new EphemeralDataProtectionProvider()));
        collection.AddScoped<IntegrationValidator>();
        collection.AddBitbucketPlatformForTests();
        collection.AddScoped<IntegrationService>();
        collection.AddIntegrationManagement();
        services = collection.AddTestAuthorization().BuildServiceProvider();
        return Task.CompletedTask;
    }

    private IntegrationService Integrations => services.GetRequiredService<IntegrationService>();

    [Fact]
    public async Task A_refused_action_does_not_run()
    {
        var (_, grace) = await services.PersonAsync("Grace", isAdministrator: false);
        var ran = false;

        var result = await services.GetRequiredService<AdminActions>().RunAsync(grace, _ =>
        {
            ran = true;
            return Task.FromResult(1);
        });

        Assert.False(ran);
        Assert.Equal(AccessRefusalReason.NotAdministrator, result.Refusal?.Reason);
    }

    [Fact]
    public async Task A_busy_database_becomes_a_message_and_changes_nothing()
    {
        var (_, ada) = await services.PersonAsync("Ada", isAdministrator: true);
        var id = (await Integrations.CreateAsync(ada, Request("Acme"))).Value.Integration!.Id;

        AdminResult<LifecycleOutcome> result;
        await using (await DatabaseFaults.HoldWriteLockAsync(database.Path))
        {
            result = await services.GetRequiredService<IntegrationLifecycle>().SetEnabledAsync(ada, id, enabled: false);
        }

        Assert.StartsWith("The database is busy", result.Failure, StringComparison.Ordinal);
        await using var db = database.CreateContext();
        Assert.True((await db.Integrations.SingleAsync()).Enabled);
    }

    [Fact]
    public async Task A_full_disk_becomes_a_message_and_stores_nothing()
    {
        var (_, ada) = await services.PersonAsync("Ada", isAdministrator: true);
        Assert.True((await Integrations.CreateAsync(ada, Request("Filler", pathLength: 1000))).Value.Succeeded);
        diskFull.Full = true;

        // About 3 KB: it cannot share the page of the first one, so SQLite needs a new page and may not take one.
        var result = await Integrations.CreateAsync(ada, Request("Acme", pathLength: 1900, secretLength: 512));

        Assert.StartsWith("The database's disk is full, so nothing was saved.", result.Failure, StringComparison.Ordinal);
        diskFull.Full = false;
        await using var db = database.CreateContext();
        Assert.Equal(["Filler"], await db.Integrations.Select(i => i.Name).ToListAsync());
    }

    [Fact]
    public async Task Racing_creates_with_the_same_name_store_one_and_tell_the_others_why()
    {
        var (_, ada) = await services.PersonAsync("Ada", isAdministrator: true);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Integrations.CreateAsync(ada, Request("Acme")))));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Failure));
        Assert.Single(results, r => r.Value.Succeeded);
        Assert.All(results.Where(r => !r.Value.Succeeded), r =>
            Assert.Contains("An integration named \"Acme\"", Assert.Single(r.Value.Errors).ErrorMessage, StringComparison.Ordinal));
        await using var db = database.CreateContext();
        Assert.Equal(1, await db.Integrations.CountAsync());
    }

    private static NewIntegration Request(string name, int pathLength = 10, int secretLength = 64) => new(
        Guid.NewGuid(), name, BitbucketServerPlatform.KindOf.Key, "https://bitbucket.example.com/" + new string('p', pathLength),
        "8.9.1", OAuthVersion.OAuth2, new string('a', 32), new string('b', secretLength));

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        database.Dispose();
    }
}
