using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Tests.Infrastructure;

/// <summary>Real SQLite failures on demand: a lock held by another connection, a database that may not grow.</summary>
public static class DatabaseFaults
{
    /// <summary>
    /// Holds SQLite's write lock from another connection (as a backup or a second process would) until disposed:
    /// readers go on, writers get SQLITE_BUSY once their busy timeout passes.
    /// </summary>
    public static async Task<IAsyncDisposable> HoldWriteLockAsync(string databasePath)
    {
        var connection = new SqliteConnection($"Data Source={databasePath}");
        await connection.OpenAsync();
        await using (var begin = connection.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }
        return new Lock(connection);
    }

    private sealed class Lock(SqliteConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var rollback = connection.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK";
                await rollback.ExecuteNonQueryAsync();
            }
            await connection.DisposeAsync();
        }
    }
}

/// <summary>
/// While <see cref="Full"/> is set, every connection the portal opens may not grow the database file beyond its
/// current size (SQLite's max_page_count), so the next write that needs a page fails with SQLITE_FULL, as on a full disk.
/// </summary>
public sealed class DiskFullInterceptor : DbConnectionInterceptor
{
    public bool Full { get; set; }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (Full)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA max_page_count = 1; PRAGMA max_page_count;";
            // Setting a value below the current page count leaves it at the current page count.
            await command.ExecuteScalarAsync(cancellationToken);
        }
    }
}

/// <summary>While <see cref="Failing"/> is set, reading with a command whose SQL names <paramref name="table"/> fails as a disk error would.</summary>
public sealed class UnreadableTableInterceptor(string table) : DbCommandInterceptor
{
    public bool Failing { get; set; }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        Failing && command.CommandText.Contains($"\"{table}\"", StringComparison.Ordinal)
            ? throw new SqliteException("disk I/O error", 10)
            : ValueTask.FromResult(result);
}

/// <summary>Once <see cref="Armed"/>, the first read after the next commit fails as a disk error would: a database that fails just after an action was saved.</summary>
public sealed class FailingReadAfterCommit : IDbTransactionInterceptor, IDbCommandInterceptor
{
    private int state; // 0 idle, 1 armed, 2 the next read fails

    public void Arm() => Interlocked.Exchange(ref state, 1);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Interlocked.CompareExchange(ref state, 2, 1);
        return Task.CompletedTask;
    }

    public ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        Interlocked.CompareExchange(ref state, 0, 2) == 2 ? throw new SqliteException("disk I/O error", 10) : ValueTask.FromResult(result);
}

/// <summary>
/// Makes every asynchronous open give the thread back before it proceeds, as a database across a network does: SQLite
/// on a local file usually answers synchronously, which hides what other events may run while a page awaits it.
/// </summary>
public sealed class YieldingConnections : DbConnectionInterceptor
{
    public override async ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return result;
    }
}
