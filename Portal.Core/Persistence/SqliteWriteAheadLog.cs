using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
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
    /// The sync level and the busy timeout are a connection's own settings, so each new connection gets them. With
    /// SQLite's busy timeout a writer that finds the database locked waits in steps of a few milliseconds; without it,
    /// Microsoft.Data.Sqlite retries after sleeping 150 ms, which under concurrent sign-ins made most of their latency
    /// (dotnet/efcore#28135).
    /// A pooled connection keeps its settings, so they are sent once per native connection, not on every open.
    /// </summary>
    public sealed class NormalSync : DbConnectionInterceptor
    {
        private readonly ConditionalWeakTable<object, object> configured = [];

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (PragmasFor(connection) is { } pragmas)
            {
                using var command = connection.CreateCommand();
                command.CommandText = pragmas;
                command.ExecuteNonQuery();
            }
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (PragmasFor(connection) is { } pragmas)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = pragmas;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        /// <summary>
        /// The settings for a native connection (the pooled handle under the ADO.NET object) seen for the first time,
        /// else <c>null</c>. The busy timeout is the connection's command timeout (the connection string's Default Timeout).
        /// </summary>
        private string? PragmasFor(DbConnection connection) =>
            connection is SqliteConnection { Handle: { } handle } sqlite && configured.TryAdd(handle, handle)
                ? $"PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={sqlite.DefaultTimeout * 1000}"
                : null;
    }
}
