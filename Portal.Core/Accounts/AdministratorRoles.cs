using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Core.Persistence;

namespace Portal.Core.Accounts;

/// <summary>The outcome of granting or revoking the administrator role.</summary>
public enum RoleChange
{
    Changed,
    UserNotFound,
    /// <summary>Refused: the portal must keep at least one administrator.</summary>
    LastAdministrator,
    /// <summary>
    /// Refused: every other administrator is without a way to sign in (their integrations are disabled or deleted), so
    /// revoking this one would leave nobody able to administer the portal.
    /// </summary>
    NoOtherAdministratorCanSignIn,
}

/// <summary>Grants and revokes the administrator role; only an actor who may administer the portal at that moment can.</summary>
public sealed class AdministratorRoles(IDbContextFactory<PortalDbContext> dbFactory, AdminActions actions, AuditLog audit)
{
    /// <summary>Revoking the last administrator is refused in the same statement that would revoke it, so racing revokes leave one.</summary>
    public Task<AdminResult<RoleChange>> SetAsync(Actor actor, Guid userId, bool isAdministrator, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, async ct =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await actions.LockAdministratorsAsync(db, actor, ct);
            var wasAdministrator = await db.Users.Where(u => u.Id == userId).Select(u => (bool?)u.IsAdministrator).SingleOrDefaultAsync(ct);
            if (wasAdministrator is null)
            {
                return RoleChange.UserNotFound;
            }
            // Only someone who can sign in counts as a way in: revoking one who cannot (their integrations are gone) takes none away.
            if (!isAdministrator && wasAdministrator == true && await db.Users.CountAsync(a => a.IsAdministrator, ct) > 1
                && await db.ExternalIdentities.AnyAsync(e => e.UserId == userId && db.Integrations.Any(i => i.Id == e.IntegrationId && i.Enabled), ct)
                && !await db.ExternalIdentities.AnyAsync(e => e.UserId != userId && e.User!.IsAdministrator
                    && db.Integrations.Any(i => i.Id == e.IntegrationId && i.Enabled), ct))
            {
                return RoleChange.NoOtherAdministratorCanSignIn;
            }
            var changed = isAdministrator
                ? await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdministrator, true), ct)
                : await db.Users
                    .Where(u => u.Id == userId && (!u.IsAdministrator || db.Users.Count(a => a.IsAdministrator) > 1))
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdministrator, false), ct);
            if (changed == 0)
            {
                return RoleChange.LastAdministrator;
            }
            // Setting the role a person already has changes nothing, so it leaves no entry.
            if (wasAdministrator != isAdministrator)
            {
                await audit.AddAsync(db, actor, isAdministrator ? AuditKind.AdministratorGranted : AuditKind.AdministratorRevoked, subjectUserId: userId, cancellationToken: ct);
                await db.SaveChangesAsync(ct);
            }
            await transaction.CommitAsync(ct);
            return RoleChange.Changed;
        }, cancellationToken);
}
