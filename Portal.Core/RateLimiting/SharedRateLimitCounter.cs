using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Persistence;

namespace Portal.Core.RateLimiting;

/// <summary>A client's requests so far in the current window, and when that window ends.</summary>
/// <param name="Count">Requests counted in this window, including the one just counted (when counting).</param>
/// <param name="RetryAfter">How long until the window ends and the count starts again from zero.</param>
public sealed record RateLimitCount(int Count, TimeSpan RetryAfter);

/// <summary>
/// Fixed-window request counts kept in the database (<see cref="RateLimitWindow"/>), so several portal instances sharing
/// one PostgreSQL database enforce one limit together instead of one limit each. Windows are aligned on the clock
/// (a one-minute window starts at every full minute), so every instance agrees on which window a request falls in.
/// On SQLite there is one portal process, which counts in memory instead (<see cref="IsNeeded"/> is false).
/// </summary>
public sealed class SharedRateLimitCounter(IDbContextFactory<PortalDbContext> dbFactory, IOptions<DatabaseOptions> database, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, long> nextPruneAt = new(StringComparer.Ordinal);

    /// <summary>Whether counts must be kept in the database: the provider is PostgreSQL, which several instances may share.</summary>
    public bool IsNeeded => database.Value.UsesPostgreSql;

    /// <summary>Counts one request of <paramref name="clientKey"/> to <paramref name="policy"/> atomically and returns the window's count.</summary>
    public async Task<RateLimitCount> CountAsync(string policy, string clientKey, TimeSpan window, CancellationToken cancellationToken)
    {
        var (start, retryAfter) = CurrentWindow(window);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await PruneEndedWindowsAsync(db, policy, start, window, cancellationToken);
        // One statement, so two instances counting the same client at the same moment both land in the same row.
        var counts = await db.Database.SqlQuery<int>($"""
            INSERT INTO "RateLimitWindows" ("Policy", "ClientKey", "WindowStart", "Count") VALUES ({policy}, {clientKey}, {start}, 1)
            ON CONFLICT ("Policy", "ClientKey", "WindowStart") DO UPDATE SET "Count" = "RateLimitWindows"."Count" + 1
            RETURNING "Count" AS "Value"
            """).ToListAsync(cancellationToken);
        return new RateLimitCount(counts.Single(), retryAfter);
    }

    private (long Start, TimeSpan RetryAfter) CurrentWindow(TimeSpan window)
    {
        var now = clock.GetUtcNow();
        var seconds = (long)window.TotalSeconds;
        var nowSeconds = now.ToUnixTimeSeconds();
        var start = nowSeconds - (nowSeconds % seconds);
        return (start, DateTimeOffset.FromUnixTimeSeconds(start + seconds) - now);
    }

    /// <summary>
    /// Deletes the policy's ended windows, at most once a window per instance and policy, so the table holds little more
    /// than the current window's clients.
    /// </summary>
    private async Task PruneEndedWindowsAsync(PortalDbContext db, string policy, long currentStart, TimeSpan window, CancellationToken cancellationToken)
    {
        var next = currentStart + (long)window.TotalSeconds;
        var claimed = nextPruneAt.TryGetValue(policy, out var due)
            ? currentStart >= due && nextPruneAt.TryUpdate(policy, next, due)
            : nextPruneAt.TryAdd(policy, next);
        if (!claimed)
        {
            return;
        }
        // The window before the current one is kept: an instance whose clock is a little behind may still count in it.
        var keepFrom = currentStart - (long)window.TotalSeconds;
        await db.RateLimitWindows.Where(w => w.Policy == policy && w.WindowStart < keepFrom).ExecuteDeleteAsync(cancellationToken);
    }
}
