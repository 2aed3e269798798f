using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Core.Authorization;

/// <summary>The outcome of granting or revoking the administrator role.</summary>
public enum RoleChange
{
    Changed,
    UserNotFound,
    /// <summary>Refused: the portal must keep at least one administrator.</summary>
    LastAdministrator,
}

/// <summary>Grants and revokes the administrator role; only an actor who may administer the portal at that moment can.</summary>
public sealed class AdministratorRoles(IDbContextFactory<PortalDbContext> dbFactory, AdminActions actions)
{
    /// <summary>Revoking the last administrator is refused in the same statement that would revoke it, so racing revokes leave one.</summary>
    public Task<AdminResult<RoleChange>> SetAsync(Actor actor, Guid userId, bool isAdministrator, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, async ct =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
            {
                return RoleChange.UserNotFound;
            }
            if (isAdministrator)
            {
                await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdministrator, true), ct);
                return RoleChange.Changed;
            }
            var revoked = await db.Users
                .Where(u => u.Id == userId && (!u.IsAdministrator || db.Users.Count(a => a.IsAdministrator) > 1))
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdministrator, false), ct);
            return revoked == 1 ? RoleChange.Changed : RoleChange.LastAdministrator;
        }, cancellationToken);
}
