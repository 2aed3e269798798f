using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Portal.Core.Persistence;

/// <summary>
/// Writes of the sign-in path without EF Core's change tracking: new rows are inserted with one statement each, built
/// once per model from its mappings (table and column names, value converters, the provider's quoting), on the
/// context's connection and inside its current transaction. For rows that are new by construction,
/// <c>SaveChanges</c>' change tracking, ordering and result propagation cost several times the statement itself
/// (docs/benchmarks.md, "Sign-in throughput"). Keys the database numbers are left to it and not read back.
/// </summary>
internal static class DirectWrites
{
    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, Statement>> Statements = [];

    public static Task InsertAsync<TEntity>(PortalDbContext db, TEntity entity, CancellationToken cancellationToken)
        where TEntity : class =>
        InsertAsync(db, typeof(TEntity), entity, cancellationToken);

    /// <summary>
    /// Saves the context's changes in one transaction: the rows of <paramref name="directTypes"/> it is about to add are
    /// taken out of the change tracker and inserted directly after <c>SaveChanges</c> has written the rest, so they may
    /// refer to rows that save adds. Nothing may refer to them in the same save.
    /// </summary>
    public static async Task SaveChangesAsync(PortalDbContext db, IReadOnlyCollection<Type> directTypes, CancellationToken cancellationToken)
    {
        db.ChangeTracker.DetectChanges();
        var direct = db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added && directTypes.Contains(e.Metadata.ClrType)).ToList();
        foreach (var entry in direct)
        {
            entry.State = EntityState.Detached;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var entry in direct)
        {
            await InsertAsync(db, entry.Metadata.ClrType, entry.Entity, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>What the database stores for <paramref name="value"/> in a column of <typeparamref name="TEntity"/>, after its value converter: a parameter for hand-written SQL.</summary>
    public static object? ToStored<TEntity>(PortalDbContext db, string propertyName, object? value) =>
        db.Model.FindEntityType(typeof(TEntity))!.FindProperty(propertyName)!.GetTypeMapping().Converter is { } converter
            ? converter.ConvertToProvider(value)
            : value;

    private static async Task InsertAsync(PortalDbContext db, Type clrType, object entity, CancellationToken cancellationToken)
    {
        var statement = Statements.GetOrCreateValue(db.Model).GetOrAdd(clrType, static (type, db) => Statement.For(db, type), db);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = statement.Sql;
            foreach (var column in statement.Columns)
            {
                command.Parameters.Add(column.Mapping.CreateParameter(command, column.ParameterName, column.Getter.GetClrValue(entity), column.Property.IsNullable));
            }
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Integer keys are numbered by the database; Guid keys come from the entity's own initialiser.</summary>
    private static bool IsGeneratedByDatabase(IProperty property) =>
        property.IsPrimaryKey() && property.ValueGenerated != ValueGenerated.Never && (property.ClrType == typeof(long) || property.ClrType == typeof(int));

    private sealed record Column(IProperty Property, IClrPropertyGetter Getter, RelationalTypeMapping Mapping, string ParameterName);

    private sealed record Statement(string Sql, IReadOnlyList<Column> Columns)
    {
        public static Statement For(PortalDbContext db, Type clrType)
        {
            var entityType = db.Model.FindEntityType(clrType) ?? throw new InvalidOperationException($"{clrType.Name} is not in the model.");
            var sql = db.GetService<ISqlGenerationHelper>();
            var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
            var columns = entityType.GetProperties()
                .Where(p => !IsGeneratedByDatabase(p))
                .Select((p, index) => new Column(p, p.GetGetter(), (RelationalTypeMapping)p.GetTypeMapping(), sql.GenerateParameterName("p" + index)))
                .ToList();
            var names = string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(table)!)));
            var values = string.Join(", ", columns.Select(c => c.ParameterName));
            return new Statement($"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({names}) VALUES ({values})", columns);
        }
    }
}
