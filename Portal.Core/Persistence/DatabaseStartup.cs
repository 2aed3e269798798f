using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Portal.Core.Persistence;

public static class DatabaseStartup
{
    /// <summary>
    /// Applies migrations, then runs the features' start-up steps (<see cref="IDatabaseStartupStep"/>) in the order
    /// they were registered: securing the stored Data Protection keys, then, in Setup Mode, logging a fresh setup link.
    /// Instances sharing a PostgreSQL database do this one at a time (<see cref="DatabaseLock.Startup"/>), so two
    /// starting together neither migrate nor encrypt the stored keys twice.
    /// </summary>
    public static async Task PreparePortalAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var lockScope = services.CreateAsyncScope();
        var lockHolder = lockScope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Portal.Startup");
        await lockHolder.WithLockAsync(DatabaseLock.Startup, async () =>
        {
            await services.MigrateDatabaseAsync(cancellationToken);
            await using var scope = services.CreateAsyncScope();
            foreach (var step in scope.ServiceProvider.GetServices<IDatabaseStartupStep>())
            {
                await step.RunAsync(cancellationToken);
            }
        }, () => logger.LogInformation("Another portal instance is starting on the same database (perhaps migrating it); this one waits for it to finish."),
        cancellationToken);
    }

    /// <summary>Applies the migrations the database lacks.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        await SqliteWriteAheadLog.EnableAsync(db, cancellationToken);
    }
}
