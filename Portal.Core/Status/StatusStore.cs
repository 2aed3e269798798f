using Portal.Core.Platforms;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Core.Status;

/// <summary>Reads what the status board needs from the database and stores probe results.</summary>
public sealed class StatusStore(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, IEnumerable<PlatformKind> platforms)
{
    private readonly Dictionary<string, string> serverNames = platforms.DistinctBy(p => p.Key).ToDictionary(p => p.Key, p => p.Wording.ServerName, StringComparer.Ordinal);

    /// <summary>Probe results older than this are deleted: the dashboard shows 24 hours, plus an hour of slack.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(25);

    /// <summary>The window for "sign-in failures in the last 24 hours".</summary>
    public static readonly TimeSpan SignInWindow = TimeSpan.FromHours(24);

    private static readonly JsonSerializerOptions StepsJsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>All integrations, enabled or not.</summary>
    public async Task<IReadOnlyList<IntegrationInfo>> LoadIntegrationsAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integrations = await db.Integrations.AsNoTracking()
            .Select(i => new IntegrationInfo(i.Id, i.Name, i.BaseUrl, i.ServerVersion, i.OAuthVersion, i.Enabled, i.Verification, i.VerifiedAt, i.TrustedCaPem, i.Platform, ""))
            .ToListAsync(ct);
        return [.. integrations.Select(Named)];
    }

    /// <summary>One integration, or <c>null</c> when it no longer exists.</summary>
    public async Task<IntegrationInfo?> LoadIntegrationAsync(Guid integrationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Integrations.AsNoTracking().Where(i => i.Id == integrationId)
            .Select(i => new IntegrationInfo(i.Id, i.Name, i.BaseUrl, i.ServerVersion, i.OAuthVersion, i.Enabled, i.Verification, i.VerifiedAt, i.TrustedCaPem, i.Platform, ""))
            .SingleOrDefaultAsync(ct);
        return integration is null ? null : Named(integration);
    }

    private IntegrationInfo Named(IntegrationInfo integration) =>
        integration with { ServerName = serverNames.GetValueOrDefault(integration.Platform, PlatformWording.Generic.ServerName) };

    /// <summary>Sign-in summaries of every integration, or of one when <paramref name="integrationId"/> is given.</summary>
    public async Task<IReadOnlyDictionary<Guid, SignInSummary>> LoadSignInsAsync(Guid? integrationId, CancellationToken ct)
    {
        var since = clock.GetUtcNow() - SignInWindow;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = db.SignInEvents.AsNoTracking().Where(e => integrationId == null || e.IntegrationId == integrationId);
        // Ids grow with time, so the highest id per integration is its latest event.
        var lastIds = await events.GroupBy(e => new { e.IntegrationId, e.Succeeded }).Select(g => g.Max(e => e.Id)).ToListAsync(ct);
        var last = await db.SignInEvents.AsNoTracking().Where(e => lastIds.Contains(e.Id))
            .Select(e => new { e.IntegrationId, e.Succeeded, e.OccurredAt, e.FailureReason, e.ErrorCode }).ToListAsync(ct);
        var recentFailures = await events.Where(e => !e.Succeeded && e.OccurredAt >= since)
            .GroupBy(e => e.IntegrationId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);

        return last.GroupBy(e => e.IntegrationId).ToDictionary(g => g.Key, g =>
        {
            var success = g.SingleOrDefault(e => e.Succeeded);
            var failure = g.SingleOrDefault(e => !e.Succeeded);
            return new SignInSummary(success?.OccurredAt, recentFailures.GetValueOrDefault(g.Key), failure?.OccurredAt, failure?.FailureReason, failure?.ErrorCode);
        });
    }

    /// <summary>The latest stored report per integration (with its row id), and every check of the last 24 hours for the strip.</summary>
    public async Task<(IReadOnlyDictionary<Guid, StoredReport> Latest, IReadOnlyList<StoredCheck> History, IReadOnlyDictionary<Guid, long> LatestIds)> LoadResultsAsync(CancellationToken ct)
    {
        var since = clock.GetUtcNow() - TimeSpan.FromHours(StatusBoard.HistoryHours);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var latestIds = await db.ProbeResults.GroupBy(r => r.IntegrationId).Select(g => g.Max(r => r.Id)).ToListAsync(ct);
        var latest = await db.ProbeResults.AsNoTracking().Where(r => latestIds.Contains(r.Id)).ToListAsync(ct);
        var history = await db.ProbeResults.AsNoTracking().Where(r => r.CheckedAt >= since)
            .Select(r => new StoredCheck(r.IntegrationId, r.CheckedAt, r.Status)).ToListAsync(ct);
        return (latest.ToDictionary(r => r.IntegrationId, r => new StoredReport(ToReport(r), r.CheckedSettings)), history, latest.ToDictionary(r => r.IntegrationId, r => r.Id));
    }

    /// <summary>The stored results with these row ids (those still there), by integration.</summary>
    public async Task<IReadOnlyList<(Guid IntegrationId, long Id, StoredReport Stored)>> LoadResultsAsync(IReadOnlyCollection<long> resultIds, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.ProbeResults.AsNoTracking().Where(r => resultIds.Contains(r.Id)).OrderBy(r => r.Id).ToListAsync(ct);
        return [.. rows.Select(r => (r.IntegrationId, r.Id, new StoredReport(ToReport(r), r.CheckedSettings)))];
    }

    /// <summary>
    /// Stores results in one transaction and deletes those older than <see cref="Retention"/>; returns the row ids of
    /// the stored results. With <paramref name="checkedAs"/> (the integrations as they were checked), a result is stored
    /// only while its integration is still enabled with those settings: an edit or a disable saved during the check,
    /// here or on another instance, makes it a check of something that no longer is.
    /// </summary>
    public async Task<IReadOnlyList<long>> SaveAsync(IReadOnlyCollection<ProbeResult> results, bool prune, CancellationToken ct,
        IReadOnlyDictionary<Guid, IntegrationInfo>? checkedAs = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        List<ProbeResult> stored = [];
        if (results.Count > 0)
        {
            // An integration deleted during the pass would break the foreign key; its results are simply dropped.
            var ids = results.Select(r => r.IntegrationId).Distinct().ToList();
            var current = await db.Integrations.Where(i => ids.Contains(i.Id))
                .Select(i => new { i.Id, i.BaseUrl, i.OAuthVersion, i.Platform, i.TrustedCaPem, i.Enabled }).ToDictionaryAsync(i => i.Id, ct);
            stored = [.. results.Where(r => current.TryGetValue(r.IntegrationId, out var now)
                && (checkedAs?.GetValueOrDefault(r.IntegrationId) is not { } was
                    || (now.Enabled && now.BaseUrl == was.BaseUrl && now.OAuthVersion == was.OAuthVersion
                        && now.Platform == was.Platform && now.TrustedCaPem == was.TrustedCaPem)))];
            db.ProbeResults.AddRange(stored);
            await db.SaveChangesAsync(ct);
        }
        if (prune)
        {
            var cutoff = clock.GetUtcNow() - Retention;
            await db.ProbeResults.Where(r => r.CheckedAt < cutoff).ExecuteDeleteAsync(ct);
        }
        return [.. stored.Select(r => r.Id)];
    }

    /// <summary>The row to store for a report and the snapshot it produced.</summary>
    public static ProbeResult ToEntity(IntegrationProbeReport report, IntegrationStatusSnapshot snapshot) => new()
    {
        IntegrationId = snapshot.Integration.Id,
        CheckedAt = report.CheckedAt,
        Status = snapshot.Status,
        Problem = report.Problem,
        Summary = ColumnText.Fit(snapshot.Summary, 2048),
        DurationMilliseconds = report.DurationMilliseconds,
        LatencyMilliseconds = report.LatencyMilliseconds,
        ServerVersion = report.ServerVersion,
        CertificateExpiresAt = report.CertificateExpiresAt,
        StepsJson = JsonSerializer.Serialize(report.Steps, StepsJsonOptions),
        CheckedSettings = snapshot.Integration.CheckedSettingsKey,
    };

    internal static IntegrationProbeReport ToReport(ProbeResult row)
    {
        IReadOnlyList<ProbeStepResult> steps;
        try
        {
            steps = JsonSerializer.Deserialize<List<ProbeStepResult>>(row.StepsJson, StepsJsonOptions) ?? [];
        }
        catch (JsonException)
        {
            steps = [];
        }
        return new IntegrationProbeReport(row.CheckedAt, row.DurationMilliseconds, row.LatencyMilliseconds, row.ServerVersion,
            row.CertificateExpiresAt, row.Problem, steps);
    }

}
