using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;

namespace Portal.Core.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>
    /// The SQLite database at <c>Database:ConnectionString</c> (validated at start; a relative file path is taken
    /// against <paramref name="contentRootPath"/>), its DbContext factory and its health check.
    /// </summary>
    public static IServiceCollection AddPersistence(this IServiceCollection services, string contentRootPath)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddDbContextFactory<PortalDbContext>((sp, options) =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            options.UseSqlite(ResolveSqliteConnectionString(database.ConnectionString, contentRootPath));
        });
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
}
