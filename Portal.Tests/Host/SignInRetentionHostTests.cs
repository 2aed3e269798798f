using Portal.Core.Platforms.BitbucketServer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Integrations;
using Portal.Core.Persistence;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>The running portal deletes old sign-in events by itself: once at start, then on every interval.</summary>
public sealed class SignInRetentionHostTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string databasePath = TestPaths.NewDatabasePath();

    [Fact]
    public async Task Events_older_than_the_retention_are_deleted_when_the_portal_starts()
    {
        var integrationId = Guid.NewGuid();
        await using (var first = new PortalHost(databasePath))
        {
            first.Start();
            var now = DateTimeOffset.UtcNow;
            await AddAsync(first, integrationId, now - TimeSpan.FromDays(120), now - TimeSpan.FromDays(10));
        }

        // An hour between passes: only the pass at start can delete the old event within the test's patience.
        await using var second = new PortalHost(databasePath, new Dictionary<string, string?> { ["Retention:PruneInterval"] = "01:00:00" });
        second.Start();

        // The pass logs after its delete commits: both are waited for, or a quick look between them finds no line yet.
        await WaitUntilAsync(second, ages => ages.SequenceEqual([10])
            && second.Logs.Entries.Any(e => e.Message.Contains("Deleted 1 sign-in event(s) older than 90.00:00:00 (Retention:SignInEvents)", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Events_that_age_past_the_retention_while_the_portal_runs_are_deleted_on_a_later_pass()
    {
        var clock = new ShiftableTimeProvider();
        await using var host = new PortalHost(databasePath,
            new Dictionary<string, string?> { ["Retention:SignInEvents"] = "30.00:00:00", ["Retention:PruneInterval"] = "00:00:01" },
            services => services.AddSingleton<TimeProvider>(clock));
        host.Start();
        var integrationId = Guid.NewGuid();
        var now = clock.GetUtcNow();
        await AddAsync(host, integrationId, now - TimeSpan.FromDays(31), now - TimeSpan.FromDays(29), now - TimeSpan.FromDays(1));
        await WaitUntilAsync(host, ages => ages.SequenceEqual([1, 29]), clock);

        clock.Advance(TimeSpan.FromDays(2));

        await WaitUntilAsync(host, ages => ages.SequenceEqual([3]), clock);
    }

    private static async Task AddAsync(PortalHost host, Guid integrationId, params DateTimeOffset[] occurredAt)
    {
        var factory = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        db.Integrations.Add(new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = integrationId, Name = $"Acme {integrationId:N}", BaseUrl = "https://bitbucket.example.com", CreatedAt = DateTimeOffset.UtcNow });
        db.SignInEvents.AddRange(occurredAt.Select(at => new SignInEvent { IntegrationId = integrationId, OccurredAt = at, Succeeded = false, FailureReason = "Test." }));
        await db.SaveChangesAsync();
    }

    /// <summary>Polls the stored events' ages in whole days until <paramref name="condition"/> holds.</summary>
    private static async Task WaitUntilAsync(PortalHost host, Func<List<int>, bool> condition, TimeProvider? clock = null)
    {
        var factory = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var deadline = DateTime.UtcNow + Patience;
        List<int> ages;
        while (true)
        {
            await using (var db = await factory.CreateDbContextAsync())
            {
                var now = (clock ?? TimeProvider.System).GetUtcNow();
                ages = (await db.SignInEvents.AsNoTracking().ToListAsync()).Select(e => (int)Math.Round((now - e.OccurredAt).TotalDays)).Order().ToList();
            }
            if (condition(ages))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"The stored events are {string.Join(", ", ages)} days old.\n{host.Logs.AllText}");
            await Task.Delay(100);
        }
    }

    public void Dispose() => TestPaths.DeleteDatabase(databasePath);
}
