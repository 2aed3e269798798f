using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;

namespace Portal.Core.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>
    /// The database <c>Database:Provider</c> names (validated at start): SQLite at <c>Database:ConnectionString</c> (a
    /// relative file path is taken against <paramref name="contentRootPath"/>), or PostgreSQL. Either way the rest of the
    /// portal asks for <see cref="PortalDbContext"/> and its factory; on PostgreSQL those hand out
    /// <see cref="PostgreSqlPortalDbContext"/>, whose migrations are PostgreSQL's. Adds the database's health check.
    /// </summary>
    public static IServiceCollection AddPersistence(this IServiceCollection services, string contentRootPath)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IDbContextFactory<PortalDbContext>>(sp =>
            new PortalDbContexts(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, contentRootPath, sp.GetRequiredService<ILoggerFactory>()));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        services.AddHealthChecks().AddDbContextCheck<PortalDbContext>("database");
        return services;
    }

    /// <summary>Makes a relative SQLite file path absolute against the content root and creates its folder.</summary>
    public static string ResolveSqliteConnectionString(string connectionString, string contentRootPath)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:" && !builder.DataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(builder.DataSource, contentRootPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            builder.DataSource = path;
        }
        return builder.ToString();
    }

    /// <summary>Hands out the context of the configured provider; the options are built once.</summary>
    private sealed class PortalDbContexts : IDbContextFactory<PortalDbContext>
    {
        private readonly DbContextOptions<PostgreSqlPortalDbContext>? postgreSql;
        private readonly DbContextOptions<PortalDbContext>? sqlite;

        public PortalDbContexts(DatabaseOptions database, string contentRootPath, ILoggerFactory loggerFactory)
        {
            if (database.UsesPostgreSql)
            {
                postgreSql = new DbContextOptionsBuilder<PostgreSqlPortalDbContext>()
                    .UseNpgsql(database.ConnectionString).UseLoggerFactory(loggerFactory).Options;
            }
            else
            {
                sqlite = new DbContextOptionsBuilder<PortalDbContext>()
                    .UseSqlite(ResolveSqliteConnectionString(database.ConnectionString, contentRootPath)).UseLoggerFactory(loggerFactory).Options;
            }
        }

        public PortalDbContext CreateDbContext() => postgreSql is not null ? new PostgreSqlPortalDbContext(postgreSql) : new PortalDbContext(sqlite!);
    }
}
