using Microsoft.EntityFrameworkCore;
using Portal.Core.Authorization;
using Portal.Core.Persistence;

namespace Portal.Core.Audit;

/// <summary>What the audit page shows: all entries, or those of one kind, integration and/or person.</summary>
/// <param name="PersonId">Entries where this person acted or was acted on.</param>
public sealed record AuditFilter(AuditKind? Kind = null, Guid? IntegrationId = null, Guid? PersonId = null);

/// <summary>One page of entries, newest first, and how many match the filter in all.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, int TotalCount);

/// <summary>A value the audit page can filter by: an integration or a person, with the name the log knows it by.</summary>
public sealed record AuditFilterChoice(Guid Id, string Name);

/// <summary>
/// Reads the audit log for administrators. Reading is authorized like an action (<see cref="AdminActions"/>), because
/// the log names people and their addresses.
/// </summary>
public sealed class AuditQuery(IDbContextFactory<PortalDbContext> dbFactory, AdminActions actions)
{
    /// <summary>The largest page the portal serves, so a crafted request cannot read the whole table at once.</summary>
    public const int MaxPageSize = 100;

    public Task<AdminResult<AuditPage>> ListAsync(Actor actor, AuditFilter filter, int skip, int take, CancellationToken cancellationToken = default) =>
        actions.ReadAsync(actor, async ct =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var query = db.AuditEntries.AsNoTracking();
            if (filter.Kind is { } kind)
            {
                query = query.Where(e => e.Kind == kind);
            }
            if (filter.IntegrationId is { } integrationId)
            {
                query = query.Where(e => e.IntegrationId == integrationId);
            }
            if (filter.PersonId is { } personId)
            {
                query = query.Where(e => e.ActorUserId == personId || e.SubjectUserId == personId);
            }
            var total = await query.CountAsync(ct);
            var entries = await query.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
                .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxPageSize)).ToListAsync(ct);
            return new AuditPage(entries, total);
        }, cancellationToken);

    /// <summary>Integrations and people that appear in the log, by their current name where they still exist.</summary>
    public Task<AdminResult<(IReadOnlyList<AuditFilterChoice> Integrations, IReadOnlyList<AuditFilterChoice> People)>> ListFilterChoicesAsync(
        Actor actor, CancellationToken cancellationToken = default) =>
        actions.ReadAsync(actor, async ct =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var integrationNames = await db.Integrations.AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.Name, ct);
            var loggedIntegrations = await db.AuditEntries.AsNoTracking().Where(e => e.IntegrationId != null)
                .GroupBy(e => e.IntegrationId!.Value).Select(g => new { Id = g.Key, Name = g.Max(e => e.IntegrationName) }).ToListAsync(ct);
            var personNames = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
            var actors = await db.AuditEntries.AsNoTracking().Where(e => e.ActorUserId != null)
                .GroupBy(e => e.ActorUserId!.Value).Select(g => new { Id = g.Key, Name = g.Max(e => e.ActorName) }).ToListAsync(ct);
            var subjects = await db.AuditEntries.AsNoTracking().Where(e => e.SubjectUserId != null)
                .GroupBy(e => e.SubjectUserId!.Value).Select(g => new { Id = g.Key, Name = g.Max(e => e.SubjectName) }).ToListAsync(ct);

            IReadOnlyList<AuditFilterChoice> integrations = loggedIntegrations
                .Select(i => new AuditFilterChoice(i.Id, integrationNames.GetValueOrDefault(i.Id) ?? $"{i.Name} (deleted)"))
                .OrderBy(c => c.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
            IReadOnlyList<AuditFilterChoice> people = actors.Concat(subjects).DistinctBy(p => p.Id)
                .Select(p => new AuditFilterChoice(p.Id, personNames.GetValueOrDefault(p.Id) ?? $"{p.Name} (removed)"))
                .OrderBy(c => c.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
            return (integrations, people);
        }, cancellationToken);
}
