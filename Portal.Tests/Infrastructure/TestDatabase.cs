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

    /// <param name="busyTimeoutSeconds">How long a write waits for a lock another connection holds (SQLite's busy timeout).</param>
    public void Register(IServiceCollection services, int? busyTimeoutSeconds = null, params Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] interceptors) =>
        services.AddDbContextFactory<PortalDbContext>(o => o
            .UseSqlite(busyTimeoutSeconds is { } seconds ? $"{ConnectionString};Default Timeout={seconds}" : ConnectionString)
            .AddInterceptors(interceptors));

    private sealed class ContextFactory(TestDatabase database) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => database.CreateContext();
    }

    public void Dispose() => TestPaths.DeleteDatabase(Path);
}
