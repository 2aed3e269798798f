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
    public async Task<AdminResult<T>> RunAsync<T>(Actor actor, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken = default)
    {
        try
        {
            if (await gate.CheckAsync(actor, cancellationToken) is { } refusal)
            {
                return AdminResult.Refused<T>(refusal);
            }
            return AdminResult.Done(await action(cancellationToken));
        }
        catch (Exception e) when (DatabaseFailure.Describe(e) is { } failure)
        {
            logger.LogWarning(e, "An administrator's action failed in the database: {Failure}", failure);
            return AdminResult.Failed<T>(failure);
        }
    }
}
