using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Portal.Core.Persistence;

/// <summary>Database failures in words that name the cause and the fix; nothing was changed when one occurs.</summary>
public static class DatabaseFailure
{
    // SQLite's primary result codes (https://www.sqlite.org/rescode.html).
    private const int Busy = 5, Locked = 6, ReadOnly = 8, IoError = 10, Corrupt = 11, Full = 13, CannotOpen = 14, Constraint = 19;

    /// <summary>A message for a database failure anywhere in <paramref name="exception"/>'s chain; null for any other exception.</summary>
    public static string? Describe(Exception exception)
    {
        var database = Find(exception);
        if (database is null)
        {
            return null;
        }
        return (database as SqliteException)?.SqliteErrorCode switch
        {
            Busy or Locked =>
                "The database is busy: another process (a backup, or a second portal on the same file) holds a lock on it. Nothing was changed; try again in a moment.",
            Full =>
                "The database's disk is full, so nothing was saved. Free disk space on the portal's server, then try again.",
            ReadOnly =>
                "The database file is read-only, so nothing was saved. Give the portal's user write access to the database file and its folder, then try again.",
            IoError or CannotOpen =>
                "The portal could not read or write its database file (a disk or file-system error). Nothing was changed; check the disk and the portal's log, then try again.",
            Corrupt =>
                "The database file is damaged, so nothing was saved. Stop the portal and restore the database from a backup.",
            Constraint =>
                "Someone else changed the same data at the same moment, so nothing was saved. Reload the page to see the current state, then try again.",
            _ =>
                $"The database refused the change ({database.GetType().Name}). Nothing was changed; try again, and check the portal's log if it keeps failing.",
        };
    }

    /// <summary>Whether <paramref name="exception"/> is SQLite's unique-constraint violation (a value another request stored first).</summary>
    public static bool IsUniqueViolation(Exception exception) =>
        Find(exception) is SqliteException { SqliteErrorCode: Constraint, SqliteExtendedErrorCode: 2067 or 1555 };

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
