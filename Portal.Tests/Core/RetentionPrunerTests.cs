using Portal.Core.Platforms.BitbucketServer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Retention;
using Portal.Core.Sessions;
using Portal.Core.Status;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

/// <summary>Sign-in events and abandoned sign-ins are deleted once older than their retention, as the clock moves on.</summary>
public sealed class RetentionPrunerTests : IDisposable
{
    private readonly TestDatabase database = new();
    private readonly ShiftableTimeProvider clock = new();
    private readonly Guid integrationId = Guid.NewGuid();

    private RetentionPruner Pruner(TimeSpan? retention = null, int auditRetentionDays = 365) => new(database.Factory,
        Options.Create(new RetentionOptions { SignInEvents = retention ?? TimeSpan.FromDays(90) }),
        Options.Create(new AuditOptions { RetentionDays = auditRetentionDays }), clock, NullLogger<RetentionPruner>.Instance);

    private async Task SeedAsync(params TimeSpan[] eventAges)
    {
        var now = clock.GetUtcNow();
        await using var db = database.CreateContext();
        db.Integrations.Add(new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = integrationId, Name = "Acme", BaseUrl = "https://bitbucket.example.com", CreatedAt = now });
        db.SignInEvents.AddRange(eventAges.Select(age => new SignInEvent { IntegrationId = integrationId, OccurredAt = now - age, Succeeded = age.Days % 2 == 0 }));
        await db.SaveChangesAsync();
    }

    private async Task<List<int>> RemainingAgesInDaysAsync()
    {
        await using var db = database.CreateContext();
        var now = clock.GetUtcNow();
        return (await db.SignInEvents.AsNoTracking().ToListAsync()).Select(e => (int)Math.Round((now - e.OccurredAt).TotalDays)).Order().ToList();
    }

    [Fact]
    public async Task Events_older_than_90_days_are_deleted_and_younger_ones_kept()
    {
        await SeedAsync(TimeSpan.FromDays(400), TimeSpan.FromDays(91), TimeSpan.FromDays(89), TimeSpan.FromDays(1), TimeSpan.FromMinutes(1));

        var result = await Pruner().PruneAsync(CancellationToken.None);

        Assert.Equal(2, result.SignInEvents);
        Assert.Equal([0, 1, 89], await RemainingAgesInDaysAsync());
    }

    [Fact]
    public async Task Status_check_results_older_than_25_hours_are_deleted_even_without_the_schedulers_passes()
    {
        await SeedAsync();
        var now = clock.GetUtcNow();
        await using (var db = database.CreateContext())
        {
            db.ProbeResults.AddRange(new[] { 26, 24, 1 }.Select(hours => new ProbeResult { IntegrationId = integrationId, CheckedAt = now.AddHours(-hours), Summary = $"{hours} h ago" }));
            await db.SaveChangesAsync();
        }

        var result = await Pruner().PruneAsync(CancellationToken.None);

        Assert.Equal(1, result.ProbeResults);
        await using var check = database.CreateContext();
        Assert.Equal(["1 h ago", "24 h ago"], (await check.ProbeResults.Select(r => r.Summary).ToListAsync()).Order());
    }

    [Fact]
    public async Task As_the_clock_moves_on_the_next_pass_deletes_what_has_aged_since()
    {
        await SeedAsync(TimeSpan.FromDays(89), TimeSpan.FromDays(60));
        var pruner = Pruner();
        Assert.Equal(0, (await pruner.PruneAsync(CancellationToken.None)).SignInEvents);

        clock.Advance(TimeSpan.FromDays(2));
        var second = await pruner.PruneAsync(CancellationToken.None);

        Assert.Equal(1, second.SignInEvents);
        Assert.Equal([62], await RemainingAgesInDaysAsync());
    }

    [Fact]
    public async Task The_retention_is_configurable()
    {
        await SeedAsync(TimeSpan.FromDays(31), TimeSpan.FromDays(29));

        await Pruner(TimeSpan.FromDays(30)).PruneAsync(CancellationToken.None);

        Assert.Equal([29], await RemainingAgesInDaysAsync());
    }

    [Fact]
    public async Task Audit_entries_older_than_Audit_RetentionDays_are_deleted_and_younger_ones_kept()
    {
        var now = clock.GetUtcNow();
        await using (var db = database.CreateContext())
        {
            db.AuditEntries.AddRange(new[] { 400, 366, 364, 1 }.Select(days => new AuditEntry
            {
                OccurredAt = now - TimeSpan.FromDays(days), Kind = AuditKind.SignInSucceeded, ActorName = "Ada", Details = $"{days}",
            }));
            await db.SaveChangesAsync();
        }

        var result = await Pruner().PruneAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(2));
        var later = await Pruner(auditRetentionDays: 30).PruneAsync(CancellationToken.None);

        Assert.Equal((2, 1), (result.AuditEntries, later.AuditEntries));
        await using var check = database.CreateContext();
        Assert.Equal(["1"], await check.AuditEntries.AsNoTracking().Select(e => e.Details).ToListAsync());
    }

    [Fact]
    public async Task Pending_authorizations_are_deleted_once_expired_for_longer_than_their_lifetime()
    {
        await SeedAsync();
        var now = clock.GetUtcNow();
        var lifetime = PendingAuthorizationStore.Lifetime;
        await using (var db = database.CreateContext())
        {
            db.PendingAuthorizations.AddRange(
                Pending("abandoned-long-ago", now - TimeSpan.FromDays(3)),
                Pending("abandoned", now - lifetime - TimeSpan.FromMinutes(1)),
                Pending("just-expired", now - TimeSpan.FromMinutes(1)),
                Pending("in-flight", now + TimeSpan.FromMinutes(5)));
            await db.SaveChangesAsync();
        }

        var result = await Pruner().PruneAsync(CancellationToken.None);

        Assert.Equal(2, result.PendingAuthorizations);
        await using var check = database.CreateContext();
        Assert.Equal(["in-flight", "just-expired"], (await check.PendingAuthorizations.AsNoTracking().Select(p => p.StateHash).ToListAsync()).Order());
    }

    [Theory]
    [InlineData("0.12:00:00", "00:01:00", "Retention:SignInEvents")]
    [InlineData("3651.00:00:00", "00:01:00", "Retention:SignInEvents")]
    [InlineData("90.00:00:00", "00:00:00", "Retention:PruneInterval")]
    [InlineData("90.00:00:00", "2.00:00:00", "Retention:PruneInterval")]
    public void Values_out_of_range_are_refused_with_the_key_named(string signInEvents, string pruneInterval, string key)
    {
        var options = new RetentionOptions { SignInEvents = TimeSpan.Parse(signInEvents, System.Globalization.CultureInfo.InvariantCulture), PruneInterval = TimeSpan.Parse(pruneInterval, System.Globalization.CultureInfo.InvariantCulture) };

        var failures = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(failures, f => f.ErrorMessage!.StartsWith(key, StringComparison.Ordinal));
    }

    private PendingAuthorization Pending(string state, DateTimeOffset expiresAt) => new()
    {
        StateHash = state,
        CorrelationHash = state,
        IntegrationId = integrationId,
        ProtectedSecret = "x",
        CreatedAt = expiresAt - PendingAuthorizationStore.Lifetime,
        ExpiresAt = expiresAt,
    };

    [Fact]
    public async Task Sessions_that_ended_or_expired_over_a_day_ago_are_deleted_and_the_others_kept()
    {
        var now = clock.GetUtcNow();
        await using (var db = database.CreateContext())
        {
            db.Sessions.AddRange(
                new PortalSession { Kind = SessionKind.Setup, CreatedAt = now.AddDays(-3), ExpiresAt = now.AddDays(-2) },
                new PortalSession { Kind = SessionKind.Setup, CreatedAt = now.AddDays(-3), ExpiresAt = now.AddDays(4), EndedAt = now.AddDays(-2), EndReason = SessionEndReason.SignedOut },
                new PortalSession { Kind = SessionKind.Setup, CreatedAt = now.AddHours(-3), ExpiresAt = now.AddHours(5), EndedAt = now.AddHours(-1), EndReason = SessionEndReason.SignedOut },
                new PortalSession { Kind = SessionKind.Setup, CreatedAt = now.AddHours(-3), ExpiresAt = now.AddHours(5) });
            await db.SaveChangesAsync();
        }

        var result = await Pruner().PruneAsync(CancellationToken.None);

        Assert.Equal(2, result.Sessions);
        await using var check = database.CreateContext();
        Assert.Equal(2, await check.Sessions.CountAsync());
        Assert.All(await check.Sessions.ToListAsync(), s => Assert.True(s.CreatedAt > now.AddDays(-1)));
    }

    public void Dispose() => database.Dispose();
}
