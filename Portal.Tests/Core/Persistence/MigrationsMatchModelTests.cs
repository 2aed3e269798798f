using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Tests.Core.Persistence;

/// <summary>Each provider's migrations describe today's model: a model change without its two migrations fails here.</summary>
public sealed class MigrationsMatchModelTests
{
    [Fact]
    public void Sqlite_migrations_match_the_model()
    {
        using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options);

        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a SQLite migration: run dotnet ef migrations add <Name> --context PortalDbContext --project Portal.Core --startup-project Portal.");
    }

    [Fact]
    public void Postgresql_migrations_match_the_model()
    {
        using var db = new PostgreSqlPortalDbContext(new DbContextOptionsBuilder<PostgreSqlPortalDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);

        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a PostgreSQL migration: run dotnet ef migrations add <Name> --context PostgreSqlPortalDbContext --project Portal.Core --startup-project Portal --output-dir Persistence/Migrations/PostgreSql.");
    }
}
