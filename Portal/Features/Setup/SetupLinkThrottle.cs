using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Persistence;
using Portal.Core.RateLimiting;

namespace Portal.Features.Setup;

/// <summary>
/// Counts wrong setup links per client address; past the limit the client must wait for the window to pass. Counted in
/// memory on SQLite (one portal process) and in the database on PostgreSQL, so instances sharing it count together.
/// </summary>
internal sealed class SetupLinkThrottle : IDisposable
{
    private const string Policy = "setup-link-failures";
    private readonly PartitionedRateLimiter<string> limiter;
    private readonly SharedRateLimitCounter shared;
    private readonly ILogger<SetupLinkThrottle> logger;
    private readonly int permits;

    public SetupLinkThrottle(IOptions<PortalOptions> options, SharedRateLimitCounter shared, ILogger<SetupLinkThrottle> logger)
    {
        permits = options.Value.SetupLinkAttemptsPerMinute;
        this.shared = shared;
        this.logger = logger;
        limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = Window, QueueLimit = 0 }));
    }

    public static TimeSpan Window { get; } = TimeSpan.FromMinutes(1);

    /// <summary>Counts one wrong link from <paramref name="client"/>; true when it is past the limit, so it must be refused.</summary>
    public async Task<bool> RefusesFailureAsync(string client, CancellationToken cancellationToken)
    {
        if (!shared.IsNeeded)
        {
            using var lease = limiter.AttemptAcquire(client);
            return !lease.IsAcquired;
        }
        try
        {
            return (await shared.CountAsync(Policy, client, Window, cancellationToken)).Count > permits;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Failing open is safe here: the token has 128 random bits, and the general setup rate limit still applies.
            logger.LogWarning(e, "Could not count a wrong setup link from {Client} in the database, so it was not counted. {Cause}",
                client, DatabaseFailure.Describe(e) ?? "Check that the PostgreSQL server (Database:ConnectionString) is reachable.");
            return false;
        }
    }

    public void Dispose() => limiter.Dispose();
}
