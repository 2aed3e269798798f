using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;

namespace Portal.Tests.Infrastructure;

/// <summary>A real SQLite file with the real migrations applied, for tests below the web host.</summary>
public sealed class TestDatabase : IDisposable
{
    public TestDatabase()
    {
        using var db = CreateContext();
        db.Database.Migrate();
    }

    public string Path { get; } = TestPaths.NewDatabasePath();

    public string ConnectionString => $"Data Source={Path}";

    public PortalDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(ConnectionString).Options);

    public IDbContextFactory<PortalDbContext> Factory => new ContextFactory(this);

    public void Register(IServiceCollection services) =>
        services.AddDbContextFactory<PortalDbContext>(o => o.UseSqlite(ConnectionString));

    private sealed class ContextFactory(TestDatabase database) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => database.CreateContext();
    }

    public void Dispose() => TestPaths.DeleteDatabase(Path);
}
