using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Configuration;
using Portal.Core.OAuth;
using Portal.Core.Persistence;
using Portal.Core.Sessions;
using Portal.Core.Status;

namespace Portal.Core.Retention;

/// <summary>What one pruning pass deleted.</summary>
public sealed record PruneResult(int SignInEvents, int PendingAuthorizations, int Sessions = 0, int AuditEntries = 0, int ProbeResults = 0);

/// <summary>
/// Deletes, at start and then every <see cref="RetentionOptions.PruneInterval"/>: sign-in events older than
/// <see cref="RetentionOptions.SignInEvents"/> (they name who tried to sign in when, so they are not kept for ever);
/// pending authorizations that expired longer ago than their lifetime (sign-ins abandoned at the provider's page);
/// sessions that ended or expired more than <see cref="EndedSessionsKeptFor"/> ago (kept that long so a page left open
/// can still say why its session ended); audit entries older than <see cref="AuditOptions.RetentionDays"/>; status
/// check results older than <see cref="StatusStore.Retention"/> (the scheduler's passes delete them too, but with
/// Status:Enabled false only Check now adds results and no pass runs).
/// </summary>
public sealed class RetentionPruner(
    IDbContextFactory<PortalDbContext> dbFactory,
    IOptions<RetentionOptions> options,
    IOptions<AuditOptions> auditOptions,
    TimeProvider clock,
    ILogger<RetentionPruner> logger) : BackgroundService
{
    public static readonly TimeSpan EndedSessionsKeptFor = TimeSpan.FromDays(1);

    /// <summary>Deletes what is older than the retention, as of the clock's now.</summary>
    public async Task<PruneResult> PruneAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var eventsBefore = now - options.Value.SignInEvents;
        var pendingBefore = now - PendingAuthorizationStore.Lifetime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var events = await db.SignInEvents.Where(e => e.OccurredAt < eventsBefore).ExecuteDeleteAsync(cancellationToken);
        var pendings = await db.PendingAuthorizations.Where(p => p.ExpiresAt < pendingBefore).ExecuteDeleteAsync(cancellationToken);
        var sessionsBefore = now - EndedSessionsKeptFor;
        var sessions = await db.Sessions.Where(s => s.ExpiresAt < sessionsBefore || s.EndedAt < sessionsBefore).ExecuteDeleteAsync(cancellationToken);
        var auditBefore = now - TimeSpan.FromDays(auditOptions.Value.RetentionDays);
        var auditEntries = await db.AuditEntries.Where(e => e.OccurredAt < auditBefore).ExecuteDeleteAsync(cancellationToken);
        var checksBefore = now - StatusStore.Retention;
        var probeResults = await db.ProbeResults.Where(r => r.CheckedAt < checksBefore).ExecuteDeleteAsync(cancellationToken);
        if (events > 0 || pendings > 0 || sessions > 0)
        {
            logger.LogInformation("Deleted {Events} sign-in event(s) older than {Retention} (Retention:SignInEvents), {Pendings} abandoned sign-in(s) and {Sessions} ended session(s).",
                events, options.Value.SignInEvents, pendings, sessions);
        }
        if (auditEntries > 0)
        {
            logger.LogInformation("Deleted {Entries} audit entries older than {Days} days (Audit:RetentionDays).", auditEntries, auditOptions.Value.RetentionDays);
        }
        return new PruneResult(events, pendings, sessions, auditEntries, probeResults);
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
                    logger.LogError(e, "Deleting old records failed; the portal tries again in {Interval}.", options.Value.PruneInterval);
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
