using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Core.Persistence;

/// <summary>
/// SQLite in write-ahead-log mode with <c>synchronous=NORMAL</c>: a commit appends to the log without waiting for the
/// disk, which syncs at checkpoints. Without it every commit waits for two fsyncs (about 20 ms each on the disks this was
/// measured on), and a sign-in, which commits several times, waits for all of them in turn. The database stays
/// consistent after a crash or a power loss; a power loss may lose the last commits before it, not corrupt the file.
/// </summary>
public static class SqliteWriteAheadLog
{
    /// <summary>The journal mode is kept in the file, so setting it once at start covers every later connection.</summary>
    public static async Task EnableAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL", cancellationToken);
        }
    }

    /// <summary>
    /// The sync level and the busy timeout are a connection's own settings, so each opened connection gets them. With
    /// SQLite's busy timeout a writer that finds the database locked waits in steps of a few milliseconds; without it,
    /// Microsoft.Data.Sqlite retries after sleeping 150 ms, which under concurrent sign-ins made most of their latency.
    /// </summary>
    public sealed class NormalSync : DbConnectionInterceptor
    {
        private const string Pragma = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragma;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragma;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
