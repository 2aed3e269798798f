using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Portal.Core.Integrations;

namespace Portal.Core.Persistence;

/// <summary>The portal's model on PostgreSQL, with its own migrations (<c>Persistence/Migrations/PostgreSql</c>).</summary>
public sealed class PostgreSqlPortalDbContext(DbContextOptions<PostgreSqlPortalDbContext> options) : PortalDbContext(options)
{
    /// <summary>Integration names compare without regard to letter case, as SQLite's NOCASE does.</summary>
    private const string CaseInsensitive = "case_insensitive";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.HasCollation(CaseInsensitive, locale: "und-u-ks-level2", provider: "icu", deterministic: false);
        modelBuilder.Entity<Integration>().Property(i => i.Name).UseCollation(CaseInsensitive);
    }
}

// The tools take the first factory whose context type fits, and a factory of the derived context fits the base one
// too (the interface is covariant): SQLite's must come first.
/// <summary>
/// Lets <c>dotnet ef migrations add --context PortalDbContext</c> build SQLite's model.
/// </summary>
internal sealed class SqlitePortalDbContextDesignFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Lets <c>dotnet ef migrations add --context PostgreSqlPortalDbContext</c> build the model without a server.</summary>
internal sealed class PostgreSqlPortalDbContextDesignFactory : IDesignTimeDbContextFactory<PostgreSqlPortalDbContext>
{
    public PostgreSqlPortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlPortalDbContext>().UseNpgsql("Host=localhost;Database=portal").Options);
}
