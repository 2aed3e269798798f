using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Core.Persistence;
using Portal.Core.Sessions;

namespace Portal.Core.Integrations;

/// <summary>How a disable, enable or delete ended.</summary>
public enum LifecycleOutcomeKind
{
    Done,
    NotFound,
    /// <summary>Refused to protect the administrators' way in (<see cref="LifecycleOutcome.Message"/> says what to do first).</summary>
    LastAdministratorWayIn,
    /// <summary>Delete only: the typed name is not the integration's name.</summary>
    ConfirmationMismatch,
}

/// <summary>The result of a disable, enable or delete, with what it changed.</summary>
/// <param name="Name">The integration's name when it existed.</param>
/// <param name="Message">Why it was refused and what to do first; null when done.</param>
/// <param name="EndedSessions">Delete: the portal sessions it ended.</param>
/// <param name="OrphanedAccounts">Delete: the accounts it left without any way to sign in (kept on People).</param>
public sealed record LifecycleOutcome(LifecycleOutcomeKind Kind, string? Name = null, string? Message = null, int EndedSessions = 0, int OrphanedAccounts = 0)
{
    public bool Done => Kind == LifecycleOutcomeKind.Done;
}

/// <summary>
/// Disables, enables and deletes integrations, refusing to take away the last enabled integration through which an
/// administrator has signed in. Each check runs in the same write transaction as the change, so two administrators
/// disabling the last two ways in at once cannot both succeed.
/// </summary>
public sealed class IntegrationLifecycle(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, AdminActions actions, AuditLog audit,
    IEnumerable<IIntegrationChangeListener> changeListeners)
{
    /// <summary>A disabled integration offers no sign-in button and is not checked by the status scheduler; nothing is deleted.</summary>
    public Task<AdminResult<LifecycleOutcome>> SetEnabledAsync(Actor actor, Guid integrationId, bool enabled, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, async ct =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await actions.LockAdministratorsAsync(db, actor, ct);
            var current = await db.Integrations.Where(i => i.Id == integrationId).Select(i => new { i.Name, i.Enabled }).SingleOrDefaultAsync(ct);
            if (current is null)
            {
                return new LifecycleOutcome(LifecycleOutcomeKind.NotFound);
            }
            var name = current.Name;
            if (current.Enabled == enabled)
            {
                // Already so (another tab, another administrator): nothing changes and nothing is recorded.
                return new LifecycleOutcome(LifecycleOutcomeKind.Done, name);
            }
            if (!enabled && await WayInProtection.FindRefusalAsync(db, integrationId, WayInProtection.Action.Disable, ct) is { } refusal)
            {
                return new LifecycleOutcome(LifecycleOutcomeKind.LastAdministratorWayIn, name, refusal);
            }
            await db.Integrations.Where(i => i.Id == integrationId).ExecuteUpdateAsync(s => s.SetProperty(i => i.Enabled, enabled), ct);
            await audit.AddAsync(db, actor, enabled ? AuditKind.IntegrationEnabled : AuditKind.IntegrationDisabled, integrationId, cancellationToken: ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            await changeListeners.ChangedAsync(ct);
            return new LifecycleOutcome(LifecycleOutcomeKind.Done, name);
        }, cancellationToken);

    /// <summary>
    /// Deletes the integration once <paramref name="typedName"/> matches its name. The portal sessions of people who
    /// signed in through it end at once; its sign-in history, status history and the people's tokens for it
    /// go with it. The people's portal accounts stay (with their roles): an account left without any other way in is
    /// <em>orphaned</em> and can be removed on People.
    /// </summary>
    public Task<AdminResult<LifecycleOutcome>> DeleteAsync(Actor actor, Guid integrationId, string? typedName, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, async ct =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await actions.LockAdministratorsAsync(db, actor, ct);
            await db.LockIntegrationRowAsync(integrationId, ct);
            var name = await db.Integrations.Where(i => i.Id == integrationId).Select(i => i.Name).SingleOrDefaultAsync(ct);
            if (name is null)
            {
                return new LifecycleOutcome(LifecycleOutcomeKind.NotFound);
            }
            if (!string.Equals((typedName ?? "").Trim(), name, StringComparison.Ordinal))
            {
                return new LifecycleOutcome(LifecycleOutcomeKind.ConfirmationMismatch, name,
                    $"The name you typed does not match. Type the integration's name exactly as shown, \"{name}\", to delete it.");
            }
            if (await WayInProtection.FindRefusalAsync(db, integrationId, WayInProtection.Action.Delete, ct) is { } refusal)
            {
                return new LifecycleOutcome(LifecycleOutcomeKind.LastAdministratorWayIn, name, refusal);
            }
            var now = clock.GetUtcNow();
            var orphaned = await db.ExternalIdentities
                .Where(e => e.IntegrationId == integrationId && !db.ExternalIdentities.Any(o => o.UserId == e.UserId && o.IntegrationId != integrationId))
                .Select(e => e.UserId).Distinct().CountAsync(ct);
            var endedSessions = await db.Sessions.CountAsync(s => s.IntegrationId == integrationId && s.EndedAt == null, ct);
            // Written before the row goes, so the entry still finds the integration's name.
            await audit.AddAsync(db, actor, AuditKind.IntegrationDeleted, integrationId, AuditDetails.Deleted(endedSessions, orphaned), cancellationToken: ct);
            await db.SaveChangesAsync(ct);
            await db.Sessions.Where(s => s.IntegrationId == integrationId && s.EndedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, SessionEndReason.IntegrationRemoved), ct);
            // The database cascades to the people's tokens for it, pending sign-ins, sign-in and status history.
            await db.Integrations.Where(i => i.Id == integrationId).ExecuteDeleteAsync(ct);
            await transaction.CommitAsync(ct);
            await changeListeners.ChangedAsync(ct);
            return new LifecycleOutcome(LifecycleOutcomeKind.Done, name, EndedSessions: endedSessions, OrphanedAccounts: orphaned);
        }, cancellationToken);
}
