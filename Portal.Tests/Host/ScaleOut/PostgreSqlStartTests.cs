using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Persistence;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host.ScaleOut;

/// <summary>Starting portals on PostgreSQL: what an operator sees when the database is wrong, and instances starting together.</summary>
[Trait("Database", "PostgreSQL")]
public sealed class PostgreSqlStartTests
{
    private static async Task<(int ExitCode, string Output)> StartWithAsync(string connectionString)
    {
        var databasePath = TestPaths.NewDatabasePath();
        try
        {
            return await PortalProcess.RunUntilExitAsync(databasePath, new Dictionary<string, string>
            {
                ["Database__Provider"] = "PostgreSQL",
                ["Database__ConnectionString"] = connectionString,
            });
        }
        finally
        {
            TestPaths.DeleteDatabase(databasePath);
        }
    }

    [Fact]
    public async Task An_instance_started_without_the_shared_key_file_refuses_to_start_instead_of_adding_keys_the_others_cannot_read()
    {
        var databasePath = TestPaths.NewDatabasePath();
        var connectionString = PostgreSqlCluster.Shared.DatabaseFor(databasePath);
        var missingKeyFile = Path.Combine(databasePath + ".other-keys", "data-protection.pfx");
        try
        {
            await using (var first = new PortalHost(databasePath, new Dictionary<string, string?>
            {
                ["Database:Provider"] = "PostgreSQL",
                ["Database:ConnectionString"] = connectionString,
            }))
            {
                first.Start();
            }
            var keysBefore = await CountKeysAsync(connectionString);
            Assert.True(keysBefore > 0);

            var (exitCode, output) = await PortalProcess.RunUntilExitAsync(databasePath, new Dictionary<string, string>
            {
                ["Database__Provider"] = "PostgreSQL",
                ["Database__ConnectionString"] = connectionString,
                ["DataProtection__CertificatePath"] = missingKeyFile,
            });

            Assert.Equal(1, exitCode);
            Assert.Contains("This instance would add keys that no other instance can read, so it does not start", output, StringComparison.Ordinal);
            Assert.Contains("copy the key file the other instances use to DataProtection:CertificatePath", output, StringComparison.Ordinal);
            Assert.False(File.Exists(missingKeyFile), "the key file this start created is removed, so a restart refuses too");
            Assert.Equal(keysBefore, await CountKeysAsync(connectionString));
        }
        finally
        {
            TestPaths.DeleteDatabase(databasePath);
            if (Directory.Exists(Path.GetDirectoryName(missingKeyFile)))
            {
                Directory.Delete(Path.GetDirectoryName(missingKeyFile)!, recursive: true);
            }
        }
    }

    private static async Task<long> CountKeysAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM \"DataProtectionKeys\"", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_connection_string_that_names_no_server_stops_the_portal_naming_the_key()
    {
        var (exitCode, output) = await StartWithAsync("Database=portal;Username=portal");

        Assert.Equal(1, exitCode);
        Assert.Contains("Database:ConnectionString is not a PostgreSQL connection string (it names no Host)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_is_not_running_stops_the_portal_with_the_cause_and_the_fix()
    {
        var closedPort = PortalHost.FreeLoopbackPort();

        var (exitCode, output) = await StartWithAsync($"Host=127.0.0.1;Port={closedPort};Database=portal;Username=portal;Timeout=5");

        Assert.Equal(1, exitCode);
        Assert.Contains("The portal cannot start: The portal could not reach its PostgreSQL server (ConnectionRefused", output, StringComparison.Ordinal);
        Assert.Contains("Start PostgreSQL, or fix Host and Port in Database:ConnectionString", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_that_does_not_exist_stops_the_portal_saying_how_to_create_it()
    {
        var missing = new NpgsqlConnectionStringBuilder(PostgreSqlCluster.Shared.DatabaseFor(TestPaths.NewDatabasePath())) { Database = "portal_nobody_created" };

        var (exitCode, output) = await StartWithAsync(missing.ConnectionString);

        Assert.Equal(1, exitCode);
        Assert.Contains("The PostgreSQL database named in Database:ConnectionString does not exist", output, StringComparison.Ordinal);
        Assert.Contains("CREATE DATABASE portal OWNER portal;", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_instances_starting_together_on_an_empty_database_migrate_it_once_share_one_key_and_both_serve()
    {
        var databaseKey = TestPaths.NewDatabasePath();
        var connectionString = PostgreSqlCluster.Shared.DatabaseFor(databaseKey, migrated: false);
        var keyFile = TestPaths.KeyFilePath(databaseKey);
        TestKeyFiles.ProvideShared(keyFile);
        var settings = new Dictionary<string, string>
        {
            ["Database__Provider"] = "PostgreSQL",
            ["Database__ConnectionString"] = connectionString,
            ["DataProtection__CertificatePath"] = keyFile,
        };

        var starting = new[] { PortalInstance.StartAsync(settings), PortalInstance.StartAsync(settings) };
        var instances = await Task.WhenAll(starting);
        try
        {
            await using var db = new PostgreSqlPortalDbContext(new DbContextOptionsBuilder<PostgreSqlPortalDbContext>().UseNpgsql(connectionString).Options);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            // One Data Protection key, made at start under the lock: two would leave each instance unable to read the other's.
            Assert.Single(await db.DataProtectionKeys.AsNoTracking().ToListAsync());
            Assert.All(instances, instance => Assert.Contains("Setup Mode is on", instance.Output, StringComparison.Ordinal));
            using var http = new HttpClient();
            foreach (var instance in instances)
            {
                Assert.Equal("Healthy", await http.GetStringAsync(new Uri($"{instance.BaseUrl}/healthz")));
            }
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
            PostgreSqlCluster.Shared.Drop(connectionString);
        }
    }
}
