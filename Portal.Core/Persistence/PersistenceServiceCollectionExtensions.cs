using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
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
        services.AddSettings<DatabaseOptions>(DatabaseOptions.Section);
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
        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:" && builder.Mode != SqliteOpenMode.Memory && !builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            var path = Path.GetFullPath(builder.DataSource, contentRootPath);
            var folder = Path.GetDirectoryName(path)!;
            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new PortalStartRefusedException(
                    $"The database's folder {folder} (from Database:ConnectionString, relative to {contentRootPath}) does not exist and could not be created ({e.Message}). " +
                    "Create it and give the portal's user write access to it, or set Database:ConnectionString to a file in a folder it may write (and start the portal from its own folder, or give an absolute path).");
            }
            builder.DataSource = path;
        }
        return builder.ToString();
    }

    /// <summary>
    /// Hands out the context of the configured provider from a pool: a sign-in opens about ten short-lived contexts, and
    /// a pooled one skips building each one's internal services again.
    /// </summary>
    private sealed class PortalDbContexts : IDbContextFactory<PortalDbContext>
    {
        private readonly PooledDbContextFactory<PostgreSqlPortalDbContext>? postgreSql;
        private readonly PooledDbContextFactory<PortalDbContext>? sqlite;

        public PortalDbContexts(DatabaseOptions database, string contentRootPath, ILoggerFactory loggerFactory)
        {
            if (database.UsesPostgreSql)
            {
                postgreSql = new(new DbContextOptionsBuilder<PostgreSqlPortalDbContext>()
                    .UseNpgsql(database.ConnectionString).UseLoggerFactory(loggerFactory).Options);
            }
            else
            {
                sqlite = new(new DbContextOptionsBuilder<PortalDbContext>()
                    .UseSqlite(ResolveSqliteConnectionString(database.ConnectionString, contentRootPath))
                    .AddInterceptors(new SqliteWriteAheadLog.NormalSync()).UseLoggerFactory(loggerFactory).Options);
            }
        }

        public PortalDbContext CreateDbContext() => postgreSql is not null ? postgreSql.CreateDbContext() : sqlite!.CreateDbContext();
    }
}
