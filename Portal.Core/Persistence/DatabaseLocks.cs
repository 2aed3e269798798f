using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Persistence;

/// <summary>The locks several portal instances sharing one PostgreSQL database take, each with its own number.</summary>
public enum DatabaseLock : long
{
    /// <summary>Held while an instance migrates the database and runs its start-up steps.</summary>
    Startup = 0x506F7274_0001,

    /// <summary>
    /// Held while a change decides who administers the portal or which ways in remain: ending or re-entering Setup Mode,
    /// issuing a setup link, granting or revoking the role, disabling or deleting an integration, removing an account.
    /// Their checks count rows other transactions may change at the same moment (PostgreSQL's read committed would let
    /// two of them each see "another administrator remains" and both commit).
    /// </summary>
    Administrators = 0x506F7274_0002,
}

/// <summary>
/// Cross-instance locks. On PostgreSQL they are advisory locks; on SQLite there is one portal process per database
/// file and SQLite serializes writers, so they cost nothing.
/// </summary>
public static class DatabaseLocks
{
    /// <summary>
    /// Takes <paramref name="lockName"/> until the current transaction ends (PostgreSQL's <c>pg_advisory_xact_lock</c>):
    /// call it first in the transaction, so every instance's check-then-change runs one at a time.
    /// </summary>
    public static async Task LockForTransactionAsync(this PortalDbContext db, DatabaseLock lockName, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({(long)lockName})", cancellationToken);
        }
    }

    /// <summary>
    /// Locks the integration's row until the current transaction ends (PostgreSQL's <c>FOR UPDATE</c>). A sign-in's save
    /// inserts rows that reference the integration, which takes a lock this one conflicts with: either the sign-in
    /// commits first and a delete that locks the row before ending the integration's sessions sees its new session,
    /// or the delete commits first and the sign-in's save fails. SQLite runs one write transaction at a time anyway.
    /// </summary>
    public static async Task LockIntegrationRowAsync(this PortalDbContext db, Guid integrationId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Integrations\" WHERE \"Id\" = {integrationId} FOR UPDATE", cancellationToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> while holding <paramref name="lockName"/> on a connection of its own (PostgreSQL's
    /// session-level advisory lock); while another instance holds it, this one waits as long as that takes (calling
    /// <paramref name="waiting"/> at first and every 30 seconds), since a long migration is no reason to give up. An
    /// instance that dies releases the lock with its connection.
    /// </summary>
    public static async Task WithLockAsync(this PortalDbContext db, DatabaseLock lockName, Func<Task> work, Action? waiting, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
        {
            await work();
            return;
        }
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var waitingSince = (DateTime?)null;
            while (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({(long)lockName}) AS \"Value\"").SingleAsync(cancellationToken))
            {
                if (waitingSince is null || DateTime.UtcNow - waitingSince > TimeSpan.FromSeconds(30))
                {
                    waitingSince = DateTime.UtcNow;
                    waiting?.Invoke();
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
            try
            {
                await work();
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({(long)lockName})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
