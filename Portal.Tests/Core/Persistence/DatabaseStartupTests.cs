using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
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

    [Fact]
    public async Task The_sqlite_database_keeps_a_write_ahead_log_and_commits_without_waiting_for_the_disk()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Database:ConnectionString"] = $"Data Source={path}" }).Build());
        services.AddLogging();
        services.AddPersistence(Path.GetTempPath());
        await using var provider = services.BuildServiceProvider();

        await provider.MigrateDatabaseAsync();

        var factory = provider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        object nativeConnection;
        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Database.OpenConnectionAsync();
            Assert.Equal("wal", await PragmaAsync(db, "journal_mode"));
            // 1 is NORMAL: synced at checkpoints, not on every commit (2, FULL, is SQLite's default).
            Assert.Equal(1L, await PragmaAsync(db, "synchronous"));
            Assert.Equal(30000L, await PragmaAsync(db, "busy_timeout"));
            nativeConnection = ((SqliteConnection)db.Database.GetDbConnection()).Handle!;
        }
        // The settings are sent once per native connection: a later open gets the pooled one, settings and all.
        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Database.OpenConnectionAsync();
            Assert.Same(nativeConnection, ((SqliteConnection)db.Database.GetDbConnection()).Handle);
            Assert.Equal(1L, await PragmaAsync(db, "synchronous"));
            Assert.Equal(30000L, await PragmaAsync(db, "busy_timeout"));
        }
    }

    private static async Task<object?> PragmaAsync(PortalDbContext db, string name)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA " + name;
        return await command.ExecuteScalarAsync();
    }

    private sealed class RecordingStep(string name, PortalDbContext db, List<string> log) : IDatabaseStartupStep
    {
        public async Task RunAsync(CancellationToken cancellationToken) =>
            log.Add($"{name}: {(await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count()} pending migrations");
    }

    public void Dispose() => TestPaths.DeleteDatabase(path);
}
