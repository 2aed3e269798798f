using Microsoft.Extensions.Logging;
using Portal.Core.Persistence;

namespace Portal.Core.Authorization;

/// <summary>
/// Runs administrators' actions: asks the <see cref="AdministratorGate"/> first, from the database state at that
/// moment, then runs the action and turns a database failure (busy, full, read-only, a conflicting change) into a
/// message instead of an exception, so the page that asked survives and says what happened.
/// </summary>
public sealed class AdminActions(AdministratorGate gate, ILogger<AdminActions> logger)
{
    public Task<AdminResult<T>> RunAsync<T>(Actor actor, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken = default) =>
        RunAsync(actor, action, DatabaseFailure.Describe, cancellationToken);

    /// <summary>Like <see cref="RunAsync"/> for what only reads (the audit log): its failure speaks of a read, not a lost change.</summary>
    public Task<AdminResult<T>> ReadAsync<T>(Actor actor, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken = default) =>
        RunAsync(actor, read, DatabaseFailure.DescribeRead, cancellationToken);

    private async Task<AdminResult<T>> RunAsync<T>(Actor actor, Func<CancellationToken, Task<T>> action, Func<Exception, string?> describe, CancellationToken cancellationToken)
    {
        try
        {
            if (await gate.CheckAsync(actor, cancellationToken) is { } refusal)
            {
                return AdminResult.Refused<T>(refusal);
            }
            return AdminResult.Done(await action(cancellationToken));
        }
        catch (RefusedMeanwhileException e)
        {
            return AdminResult.Refused<T>(e.Refusal);
        }
        catch (Exception e) when (describe(e) is { } failure)
        {
            logger.LogWarning(e, "An administrator's action failed in the database: {Failure}", failure);
            return AdminResult.Failed<T>(failure);
        }
    }

    /// <summary>
    /// Takes the administrators' lock in the action's transaction and asks the gate again under it, for actions that
    /// change who may administer: a revoke that committed between <see cref="RunAsync"/>'s check and this lock refuses
    /// the action (and rolls its transaction back) instead of letting it run with a role its actor no longer has.
    /// </summary>
    public async Task LockAdministratorsAsync(PortalDbContext db, Actor actor, CancellationToken cancellationToken)
    {
        if (await LockAdministratorsAndCheckAsync(db, actor, cancellationToken) is { } refusal)
        {
            throw new RefusedMeanwhileException(refusal);
        }
    }

    /// <summary>
    /// Like <see cref="LockAdministratorsAsync"/> for an action that does not run through <see cref="RunAsync"/> (the
    /// callback of a verification): returns the refusal instead of throwing it.
    /// </summary>
    public async Task<AccessRefusal?> LockAdministratorsAndCheckAsync(PortalDbContext db, Actor actor, CancellationToken cancellationToken)
    {
        await db.LockForTransactionAsync(DatabaseLock.Administrators, cancellationToken);
        return await gate.CheckAsync(db, actor, cancellationToken);
    }

    private sealed class RefusedMeanwhileException(AccessRefusal refusal) : Exception(refusal.Message)
    {
        public AccessRefusal Refusal { get; } = refusal;
    }
}
