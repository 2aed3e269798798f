using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// A real SQLite file with the real migrations applied, for tests below the web host; in test.sh's PostgreSQL pass a
/// database in the test run's <see cref="PostgreSqlCluster"/> keyed on the same path, which a <see cref="PortalHost"/>
/// given that path opens too.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    public TestDatabase()
    {
        using var db = CreateContext();
        db.Database.Migrate();
    }

    public string Path { get; } = TestPaths.NewDatabasePath();

    public string ConnectionString => $"Data Source={Path}";

    public PortalDbContext CreateContext() => ContextFor(Path);

    /// <summary>A context on the database <paramref name="databasePath"/> names, on the provider of this test pass.</summary>
    public static PortalDbContext ContextFor(string databasePath) => PostgreSqlCluster.ChosenForHostTests
        ? new PostgreSqlPortalDbContext(new DbContextOptionsBuilder<PostgreSqlPortalDbContext>()
            .UseNpgsql(PostgreSqlCluster.Shared.DatabaseFor(databasePath)).Options)
        : new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={databasePath}").Options);

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
