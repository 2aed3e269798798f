using System.Diagnostics;
using System.Threading.RateLimiting;
using Portal.Core.Persistence;
using Portal.Core.RateLimiting;

namespace Portal.Web;

/// <summary>
/// One client's fixed-window limit for one policy, counted in the shared database (<see cref="SharedRateLimitCounter"/>)
/// so that every portal instance behind the load balancer counts the same requests. It decides only asynchronously:
/// the synchronous <see cref="RateLimiter.AttemptAcquire"/> always declines without counting, and ASP.NET's rate-limiting
/// middleware then calls <see cref="RateLimiter.AcquireAsync"/> (its TryAcquireAsync tries AttemptAcquire first and
/// waits on AcquireAsync when that is not acquired), which counts the request in the database.
/// </summary>
internal sealed class DatabaseWindowLimiter(SharedRateLimitCounter counter, string policy, string clientKey, int permitLimit, TimeSpan window, ILogger logger, LogThrottle outageWarnings)
    : RateLimiter
{
    private readonly FixedWindowRateLimiter fallback = new(new FixedWindowRateLimiterOptions { PermitLimit = permitLimit, Window = window, QueueLimit = 0 });
    private long lastUsed = Stopwatch.GetTimestamp();

    // The middleware's partitioned limiter drops limiters idle for a while; the counts stay in the database.
    public override TimeSpan? IdleDuration => Stopwatch.GetElapsedTime(Interlocked.Read(ref lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => WindowLease.Undecided;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref lastUsed, Stopwatch.GetTimestamp());
        try
        {
            var count = await counter.CountAsync(policy, clientKey, window, cancellationToken);
            return count.Count <= permitLimit ? WindowLease.Acquired : WindowLease.Refused(count.RetryAfter);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A database that cannot count (down, or out of connections under a flood) must neither lock everyone out of
            // signing in nor lift the limit: this instance counts alone until the database answers again.
            if (outageWarnings.Due())
            {
                logger.LogWarning(e, "The {Policy} rate limit could not count requests from {Client} in the database, so this instance counts them alone until it can (this warning repeats at most once a minute, whichever client meets it). {Cause}",
                    policy, clientKey, DatabaseFailure.Describe(e) ?? "Check that the PostgreSQL server (Database:ConnectionString) is reachable.");
            }
            using var local = fallback.AttemptAcquire(permitCount);
            return local.IsAcquired
                ? WindowLease.Acquired
                : WindowLease.Refused(local.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : window);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            fallback.Dispose();
        }
        base.Dispose(disposing);
    }

    private sealed class WindowLease(bool isAcquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly WindowLease Acquired = new(true, null);
        public static readonly WindowLease Undecided = new(false, null);

        public static WindowLease Refused(TimeSpan retryAfter) => new(false, retryAfter);

        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
