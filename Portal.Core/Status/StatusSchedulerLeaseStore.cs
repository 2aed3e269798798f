using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Core.Status;

/// <summary>What an instance learns when it holds the scheduler lease, both by the database's clock.</summary>
/// <param name="LastPassStartedAt">When the last background pass started (by any instance).</param>
/// <param name="Now">The database's time when the lease was taken or renewed.</param>
public sealed record StatusSchedulerLeaseView(DateTimeOffset LastPassStartedAt, DateTimeOffset Now)
{
    /// <summary>How long until the next pass is due; zero or less when it is due now.</summary>
    public TimeSpan NextPassDueIn(TimeSpan interval) => LastPassStartedAt + interval - Now;
}

/// <summary>
/// Takes, renews and releases the status scheduler's lease (<see cref="StatusSchedulerLease"/>) with single conditional
/// statements, so two instances can never both hold it. Every time comes from the database's clock (PostgreSQL's
/// <c>statement_timestamp()</c>, SQLite's <c>julianday('now')</c>): the instances' own clocks may disagree.
/// </summary>
public sealed class StatusSchedulerLeaseStore(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The table's name, the same on both providers.</summary>
    public const string Table = "StatusSchedulerLeases";

    /// <summary>The one lease's name.</summary>
    public const string LeaseName = "status-scheduler";

    /// <summary>
    /// Takes the lease for <paramref name="holder"/> if nobody holds it or it ran out, or renews it if
    /// <paramref name="holder"/> holds it; returns <c>null</c> when another instance holds it. The first instance ever
    /// records "now" as the last pass, so starting a fresh portal costs no probes for one interval.
    /// </summary>
    public async Task<StatusSchedulerLeaseView?> TryHoldAsync(string holder, TimeSpan length, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var command = await CommandAsync(db, now => $"""
            INSERT INTO "{Table}" ("Name", "Holder", "ExpiresAtUnixMilliseconds", "LastPassStartedAtUnixMilliseconds")
            VALUES (@name, @holder, {now} + @length, {now})
            ON CONFLICT ("Name") DO UPDATE SET "Holder" = excluded."Holder", "ExpiresAtUnixMilliseconds" = excluded."ExpiresAtUnixMilliseconds"
            WHERE "{Table}"."Holder" = excluded."Holder" OR "{Table}"."ExpiresAtUnixMilliseconds" <= {now}
            RETURNING "LastPassStartedAtUnixMilliseconds", {now}
            """, holder, length, TimeSpan.Zero, ct);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new StatusSchedulerLeaseView(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)))
            : null;
    }

    /// <summary>
    /// Records the start of a pass and renews the lease, but only while <paramref name="holder"/> holds an unexpired
    /// lease and the last pass started at least <paramref name="interval"/> ago; returns whether the pass may run.
    /// Because the check and the write are one statement, no two instances ever start a pass for the same interval.
    /// </summary>
    public async Task<bool> TryStartPassAsync(string holder, TimeSpan length, TimeSpan interval, CancellationToken ct) =>
        await ExecuteAsync(now => $"""
            UPDATE "{Table}" SET "LastPassStartedAtUnixMilliseconds" = {now}, "ExpiresAtUnixMilliseconds" = {now} + @length
            WHERE "Name" = @name AND "Holder" = @holder AND "ExpiresAtUnixMilliseconds" > {now}
              AND "LastPassStartedAtUnixMilliseconds" <= {now} - @interval
            """, holder, length, interval, ct) == 1;

    /// <summary>Ends <paramref name="holder"/>'s lease at once (a graceful stop), so another instance takes over without waiting for it to run out.</summary>
    public Task ReleaseAsync(string holder, CancellationToken ct) =>
        ExecuteAsync(_ => $"""
            UPDATE "{Table}" SET "ExpiresAtUnixMilliseconds" = 0 WHERE "Name" = @name AND "Holder" = @holder
            """, holder, TimeSpan.Zero, TimeSpan.Zero, ct);

    private async Task<int> ExecuteAsync(Func<string, string> sql, string holder, TimeSpan length, TimeSpan interval, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var command = await CommandAsync(db, sql, holder, length, interval, ct);
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A command on <paramref name="db"/>'s open connection, with "now" in the database's clock (milliseconds since 1970).</summary>
    private static async Task<DbCommand> CommandAsync(PortalDbContext db, Func<string, string> sql, string holder, TimeSpan length, TimeSpan interval, CancellationToken ct)
    {
        var now = db.Database.IsNpgsql()
            ? "CAST(EXTRACT(EPOCH FROM statement_timestamp()) * 1000 AS bigint)"
            : "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
        await db.Database.OpenConnectionAsync(ct);
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql(now);
        Add(command, "name", LeaseName);
        Add(command, "holder", holder);
        Add(command, "length", (long)length.TotalMilliseconds);
        Add(command, "interval", (long)interval.TotalMilliseconds);
        return command;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        if (command.CommandText.Contains("@" + name, StringComparison.Ordinal))
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
    }
}
