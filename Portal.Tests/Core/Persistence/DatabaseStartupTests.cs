using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Persistence;

public sealed class DatabaseStartupTests : IDisposable
{
    private readonly string path = TestPaths.NewDatabasePath();

    [Fact]
    public async Task Start_up_steps_run_once_each_in_registration_order_after_the_migrations()
    {
        var log = new List<string>();
        var services = new ServiceCollection();
        services.AddDbContextFactory<PortalDbContext>(o => o.UseSqlite($"Data Source={path}"));
        services.AddSingleton(log);
        services.AddScoped<IDatabaseStartupStep>(sp => new RecordingStep("keys", sp.GetRequiredService<PortalDbContext>(), log));
        services.AddScoped<IDatabaseStartupStep>(sp => new RecordingStep("setup link", sp.GetRequiredService<PortalDbContext>(), log));
        await using var provider = services.BuildServiceProvider();

        await provider.PreparePortalAsync();

        Assert.Equal(["keys: 0 pending migrations", "setup link: 0 pending migrations"], log);
    }

    private sealed class RecordingStep(string name, PortalDbContext db, List<string> log) : IDatabaseStartupStep
    {
        public async Task RunAsync(CancellationToken cancellationToken) =>
            log.Add($"{name}: {(await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count()} pending migrations");
    }

    public void Dispose() => TestPaths.DeleteDatabase(path);
}
