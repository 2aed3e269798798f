using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Core.Persistence;

namespace Portal.Core.Accounts;

/// <summary>The outcome of removing an orphaned account.</summary>
public enum OrphanRemoval
{
    Removed,
    UserNotFound,
    /// <summary>Refused: the account can still sign in through an integration, so it is not orphaned.</summary>
    NotOrphaned,
    /// <summary>Refused: removing the last administrator would put the portal back into Setup Mode.</summary>
    LastAdministrator,
}

/// <summary>
/// Accounts whose integrations were all deleted: kept (with their roles) so that deleting an integration never removes
/// a person by accident, and removed here by an administrator who decides they are no longer needed.
/// </summary>
public sealed class OrphanedAccounts(IDbContextFactory<PortalDbContext> dbFactory, AdminActions actions, AuditLog audit)
{
    /// <summary>The checks are part of the delete statement, so a sign-in or a role change in between cannot slip through.</summary>
    public Task<AdminResult<OrphanRemoval>> RemoveAsync(Actor actor, Guid userId, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, async ct =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await actions.LockAdministratorsAsync(db, actor, ct);
            // Written first so the entry still finds the person's name; rolled back with the rest when nothing is removed.
            await audit.AddAsync(db, actor, AuditKind.AccountRemoved, subjectUserId: userId, cancellationToken: ct);
            await db.SaveChangesAsync(ct);
            var removed = await db.Users
                .Where(u => u.Id == userId
                            && !db.ExternalIdentities.Any(e => e.UserId == u.Id)
                            && (!u.IsAdministrator || db.Users.Count(a => a.IsAdministrator) > 1))
                .ExecuteDeleteAsync(ct);
            if (removed == 1)
            {
                await transaction.CommitAsync(ct);
                return OrphanRemoval.Removed;
            }
            var user = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.IsAdministrator }).SingleOrDefaultAsync(ct);
            return user switch
            {
                null => OrphanRemoval.UserNotFound,
                _ when await db.ExternalIdentities.AnyAsync(e => e.UserId == userId, ct) => OrphanRemoval.NotOrphaned,
                _ => OrphanRemoval.LastAdministrator,
            };
        }, cancellationToken);
}
