using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;

namespace Portal.Features.Setup;

/// <summary>Counts wrong setup links per client address; past the limit the client must wait for the window to pass.</summary>
internal sealed class SetupLinkThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter;

    public SetupLinkThrottle(IOptions<PortalOptions> options)
    {
        var permits = options.Value.SetupLinkAttemptsPerMinute;
        limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = Window, QueueLimit = 0 }));
    }

    public static TimeSpan Window { get; } = TimeSpan.FromMinutes(1);

    public bool IsBlocked(string client) => limiter.GetStatistics(client)?.CurrentAvailablePermits == 0;

    public void RecordFailure(string client)
    {
        using var lease = limiter.AttemptAcquire(client);
    }

    public void Dispose() => limiter.Dispose();
}
