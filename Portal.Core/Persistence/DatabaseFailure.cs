using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Portal.Core.Persistence;

/// <summary>Database failures in words that name the cause and the fix, for a change (nothing was saved) or a read.</summary>
public static class DatabaseFailure
{
    // SQLite's primary result codes (https://www.sqlite.org/rescode.html).
    private const int Busy = 5, Locked = 6, ReadOnly = 8, IoError = 10, Corrupt = 11, Full = 13, CannotOpen = 14, Constraint = 19;

    /// <summary>
    /// A message for a database failure anywhere in <paramref name="exception"/>'s chain while saving a change; null for
    /// any other exception.
    /// </summary>
    public static string? Describe(Exception exception) => Describe(exception, DatabaseWork.Change);

    /// <summary>
    /// The same for a failure while only reading (a page loading what it shows), in words that do not speak of a lost
    /// change.
    /// </summary>
    public static string? DescribeRead(Exception exception) => Describe(exception, DatabaseWork.Read);

    private enum DatabaseWork { Change, Read, Start }

    private static string? Describe(Exception exception, DatabaseWork work)
    {
        var database = Find(exception);
        if (database is null)
        {
            return null;
        }
        var reading = work != DatabaseWork.Change;
        var consequence = work switch
        {
            DatabaseWork.Change => "so nothing was saved",
            DatabaseWork.Read => "so the portal could not read its data",
            _ => "so the portal could not use it",
        };
        var nothingChanged = reading ? "" : "Nothing was changed; ";
        var retry = reading ? "Try again" : "try again";
        if (database is NpgsqlException postgres)
        {
            return DescribePostgreSql(postgres, consequence, nothingChanged + retry, reading, work switch
            {
                DatabaseWork.Change => "change",
                DatabaseWork.Read => "read",
                _ => "use",
            });
        }
        return (database as SqliteException)?.SqliteErrorCode switch
        {
            Busy or Locked =>
                $"The database is busy: another process (a backup, or a second portal on the same file) holds a lock on it. {nothingChanged}{retry} in a moment.",
            Full =>
                $"The database's disk is full, {consequence}. Free disk space on the portal's server, then try again.",
            ReadOnly =>
                $"The database file is read-only, {consequence}. Give the portal's user write access to the database file and its folder, then try again.",
            IoError or CannotOpen =>
                $"The portal could not read or write its database file (a disk or file-system error). {nothingChanged}{(reading ? "Check" : "check")} the disk and the portal's log, then try again.",
            Corrupt =>
                $"The database file is damaged, {consequence}. Stop the portal and restore the database from a backup.",
            Constraint =>
                $"Someone else changed the same data at the same moment, {consequence}. Reload the page to see the current state, then try again.",
            _ =>
                $"The database refused the {(reading ? "query" : "change")} ({database.GetType().Name}). {nothingChanged}{retry}, and check the portal's log if it keeps failing.",
        };
    }

    /// <summary>
    /// Why the portal could not open its database at start, and the fix; null when <paramref name="exception"/> is not a
    /// database failure.
    /// </summary>
    public static string? DescribeAtStart(Exception exception) => Find(exception) switch
    {
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword } postgres =>
            $"PostgreSQL refused the user name or password in Database:ConnectionString ({postgres.MessageText}). Fix the Username and Password (set the password in the environment: Database__ConnectionString=...;Password=...).",
        PostgresException { SqlState: PostgresErrorCodes.InvalidAuthorizationSpecification } postgres =>
            $"PostgreSQL refused the connection ({postgres.MessageText}). Allow the portal's machine, user and database in the server's pg_hba.conf (and reload PostgreSQL), or fix the Username in Database:ConnectionString.",
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } postgres =>
            $"The PostgreSQL database named in Database:ConnectionString does not exist ({postgres.MessageText}). Create it (CREATE DATABASE portal OWNER portal;) or fix the Database name; the portal creates its tables itself.",
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } postgres =>
            $"The PostgreSQL user in Database:ConnectionString may not create or change the portal's tables ({postgres.MessageText}). Make it the database's owner (ALTER DATABASE portal OWNER TO portal;).",
        NpgsqlException { InnerException: System.Net.Sockets.SocketException socket } =>
            $"The portal could not reach its PostgreSQL server ({socket.SocketErrorCode}: {socket.Message}). Start PostgreSQL, or fix Host and Port in Database:ConnectionString, and check that a firewall lets the portal's machine reach it.",
        NpgsqlException npgsql => "The portal could not open its PostgreSQL database: " + Describe(npgsql, DatabaseWork.Start),
        SqliteException sqlite =>
            "The portal could not open its SQLite database: " + Describe(sqlite, DatabaseWork.Start) + " (Database:ConnectionString names the file.)",
        _ => null,
    };

    /// <summary>Whether <paramref name="exception"/> is a unique-constraint violation (a value another request stored first).</summary>
    public static bool IsUniqueViolation(Exception exception) => Find(exception) switch
    {
        SqliteException { SqliteErrorCode: Constraint, SqliteExtendedErrorCode: 2067 or 1555 } => true,
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => true,
        _ => false,
    };

    // PostgreSQL's SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
    private static string DescribePostgreSql(NpgsqlException exception, string consequence, string retry, bool reading, string tablesVerb) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } =>
            $"The database server's disk is full, {consequence}. Free disk space on the PostgreSQL server, then try again.",
        PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction } =>
            $"The database is read-only (a standby server, or a read-only user), {consequence}. Point Database:ConnectionString at the primary server with a user that may write, then try again.",
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } =>
            $"The database user may not {tablesVerb} the portal's tables, {consequence}. Grant the user named in Database:ConnectionString rights on the portal's database, then try again.",
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable } =>
            $"The database is busy: another portal instance changed the same data at the same moment. {retry} in a moment.",
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation } =>
            $"Someone else changed the same data at the same moment, {consequence}. Reload the page to see the current state, then try again.",
        PostgresException { SqlState: PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown } =>
            $"The database server is not taking connections right now (restarting, or at its connection limit). {retry} in a moment, and check the PostgreSQL server if it keeps failing.",
        PostgresException postgres =>
            $"The database refused the {(reading ? "query" : "change")} (PostgreSQL error {postgres.SqlState}: {postgres.MessageText}). {retry}, and check the portal's log if it keeps failing.",
        _ =>
            $"The portal could not reach its PostgreSQL database (the server is down, unreachable, or refused the connection). {(reading ? "Check" : "Nothing was changed; check")} the server named in Database:ConnectionString, then try again.",
    };

    private static DbException? Find(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException database)
            {
                return database;
            }
        }
        return null;
    }
}
