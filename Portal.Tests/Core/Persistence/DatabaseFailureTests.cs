using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Persistence;

namespace Portal.Tests.Core.Persistence;

/// <summary>PostgreSQL's failures in the words an administrator or operator reads (SQLite's have their own tests).</summary>
public sealed class DatabaseFailureTests
{
    private static DbUpdateException Failing(string sqlState) =>
        new("saving failed", new PostgresException("the server's own text", "ERROR", "ERROR", sqlState));

    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation, "Someone else changed the same data at the same moment")]
    [InlineData(PostgresErrorCodes.SerializationFailure, "another portal instance changed the same data")]
    [InlineData(PostgresErrorCodes.DeadlockDetected, "another portal instance changed the same data")]
    [InlineData(PostgresErrorCodes.DiskFull, "disk is full")]
    [InlineData(PostgresErrorCodes.ReadOnlySqlTransaction, "Point Database:ConnectionString at the primary server")]
    [InlineData(PostgresErrorCodes.TooManyConnections, "not taking connections right now")]
    [InlineData("XX000", "PostgreSQL error XX000")]
    public void A_postgresql_failure_names_the_cause_and_what_to_do(string sqlState, string expected)
    {
        var message = DatabaseFailure.Describe(Failing(sqlState));

        Assert.NotNull(message);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Contains("ry again", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PostgresErrorCodes.InsufficientPrivilege, "The database user may not read the portal's tables, so the portal could not read its data.")]
    [InlineData(PostgresErrorCodes.TooManyConnections, "not taking connections right now (restarting, or at its connection limit). Try again in a moment")]
    [InlineData("XX000", "The database refused the query (PostgreSQL error XX000: the server's own text). Try again,")]
    public void A_failed_read_names_the_cause_without_speaking_of_a_lost_change(string sqlState, string expected)
    {
        var message = DatabaseFailure.DescribeRead(Failing(sqlState));

        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("saved", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing was changed", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_read_of_sqlite_does_not_speak_of_a_lost_change()
    {
        var message = DatabaseFailure.DescribeRead(new InvalidOperationException("reading failed", new Microsoft.Data.Sqlite.SqliteException("disk I/O error", 10)));

        Assert.Equal("The portal could not read or write its database file (a disk or file-system error). Check the disk and the portal's log, then try again.", message);
    }

    [Fact]
    public void A_lost_connection_says_the_server_is_unreachable()
    {
        var message = DatabaseFailure.Describe(new DbUpdateException("saving failed", new NpgsqlException("Exception while reading from stream")));

        Assert.Contains("could not reach its PostgreSQL database", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_unique_violation_on_postgresql_is_recognised_as_one()
    {
        Assert.True(DatabaseFailure.IsUniqueViolation(Failing(PostgresErrorCodes.UniqueViolation)));
        Assert.False(DatabaseFailure.IsUniqueViolation(Failing(PostgresErrorCodes.ForeignKeyViolation)));
    }

    [Theory]
    [InlineData(PostgresErrorCodes.InvalidPassword, "refused the user name or password")]
    [InlineData(PostgresErrorCodes.InvalidAuthorizationSpecification, "pg_hba.conf")]
    [InlineData(PostgresErrorCodes.InvalidCatalogName, "CREATE DATABASE portal OWNER portal;")]
    [InlineData(PostgresErrorCodes.InsufficientPrivilege, "ALTER DATABASE portal OWNER TO portal;")]
    public void A_failure_at_start_names_the_setting_to_fix(string sqlState, string expected)
    {
        var message = DatabaseFailure.DescribeAtStart(new InvalidOperationException("migrating failed", Failing(sqlState)));

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_exceptions_are_not_database_failures() =>
        Assert.Null(DatabaseFailure.DescribeAtStart(new InvalidOperationException("something else")));
}
