using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.OAuth;
using Portal.Core.Persistence;

namespace Portal.Core.Accounts;

/// <summary>What one pruning pass deleted.</summary>
public sealed record PruneResult(int SignInEvents, int PendingAuthorizations);

/// <summary>
/// Deletes sign-in events older than <see cref="RetentionOptions.SignInEvents"/>, and pending authorizations that
/// expired longer ago than their lifetime (sign-ins abandoned at Bitbucket's page), at start and then every
/// <see cref="RetentionOptions.PruneInterval"/>. Sign-in events name who tried to sign in when, so they are not
/// kept for ever.
/// </summary>
public sealed class SignInEventPruner(
    IDbContextFactory<PortalDbContext> dbFactory,
    IOptions<RetentionOptions> options,
    TimeProvider clock,
    ILogger<SignInEventPruner> logger) : BackgroundService
{
    /// <summary>Deletes what is older than the retention, as of the clock's now.</summary>
    public async Task<PruneResult> PruneAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var eventsBefore = now - options.Value.SignInEvents;
        var pendingBefore = now - PendingAuthorizationStore.Lifetime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var events = await db.SignInEvents.Where(e => e.OccurredAt < eventsBefore).ExecuteDeleteAsync(cancellationToken);
        var pendings = await db.PendingAuthorizations.Where(p => p.ExpiresAt < pendingBefore).ExecuteDeleteAsync(cancellationToken);
        if (events > 0 || pendings > 0)
        {
            logger.LogInformation("Deleted {Events} sign-in event(s) older than {Retention} (Retention:SignInEvents) and {Pendings} abandoned sign-in(s).",
                events, options.Value.SignInEvents, pendings);
        }
        return new PruneResult(events, pendings);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PruneInterval, clock);
        try
        {
            do
            {
                try
                {
                    await PruneAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(e, "Deleting old sign-in events failed; the portal tries again in {Interval}.", options.Value.PruneInterval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
