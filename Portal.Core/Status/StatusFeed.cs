using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Persistence;

namespace Portal.Core.Status;

/// <summary>
/// Tells the other portal instances sharing a PostgreSQL database that this one stored probe results or recorded a
/// sign-in, or that an administrator changed the integrations (NOTIFY on <see cref="StatusNotice.Channel"/>;
/// <see cref="StatusFeedListener"/> receives it). On SQLite there
/// is one portal process, so there is nobody to tell and this does nothing.
/// </summary>
public sealed class StatusFeed(
    IDbContextFactory<PortalDbContext> dbFactory,
    IOptions<DatabaseOptions> database,
    InstanceIdentity instance,
    ILogger<StatusFeed> logger)
{
    /// <summary>Whether other instances may share the database (PostgreSQL).</summary>
    public bool CrossesInstances => database.Value.UsesPostgreSql;

    /// <summary>Announces stored probe results by their row ids.</summary>
    public Task ResultsStoredAsync(IEnumerable<long> resultIds, CancellationToken ct) =>
        NotifyAsync(StatusNoticeKind.Results, resultIds.Select(id => id.ToString(CultureInfo.InvariantCulture)), ct);

    /// <summary>Announces a recorded sign-in through <paramref name="integrationId"/>.</summary>
    public Task SignInRecordedAsync(Guid integrationId, CancellationToken ct) =>
        NotifyAsync(StatusNoticeKind.SignIns, [integrationId.ToString("N")], ct);

    /// <summary>Announces that an administrator changed the integrations (created, edited, enabled, disabled, deleted, trust).</summary>
    public Task IntegrationsChangedAsync(CancellationToken ct) =>
        NotifyAsync(StatusNoticeKind.Integrations, ["all"], ct);

    private async Task NotifyAsync(StatusNoticeKind kind, IEnumerable<string> ids, CancellationToken ct)
    {
        if (!CrossesInstances)
        {
            return;
        }
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            foreach (var payload in StatusNotice.Payloads(instance.Id, kind, ids))
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_notify({StatusNotice.Channel}, {payload})", ct);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The result is stored either way; other instances' dashboards show it when they next reload.
            logger.LogWarning(e, "The other portal instances could not be told about new {Kind} (PostgreSQL NOTIFY failed); they show them after their next results arrive or their listener reconnects.", kind);
        }
    }
}
