using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Persistence;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for this test process: Debian's server binaries (installed by test.sh), initdb into a
/// temporary folder, listening on 127.0.0.1 on a port of its own, stopped and deleted when the process exits. Each
/// test database is a copy of a template the real PostgreSQL migrations were applied to once.
/// </summary>
public sealed class PostgreSqlCluster
{
    private const string TemplateDatabase = "portal_template";

    /// <summary>The file in a cluster's folder that names the test process it belongs to (test.sh reads it too).</summary>
    private const string OwnerFile = "owner.pid";
    private static readonly Lazy<PostgreSqlCluster> shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly SemaphoreSlim creating = new(1, 1);
    private readonly string dataDirectory;
    private readonly string binDirectory;
    private readonly int port;

    private PostgreSqlCluster(string binDirectory, string dataDirectory, int port)
    {
        this.binDirectory = binDirectory;
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    /// <summary>The cluster of this test process, started on first use.</summary>
    public static PostgreSqlCluster Shared => shared.Value;

    /// <summary>Whether the test run asked for host tests on PostgreSQL (test.sh's second pass sets PORTAL_TEST_DATABASE).</summary>
    public static bool ChosenForHostTests =>
        string.Equals(Environment.GetEnvironmentVariable("PORTAL_TEST_DATABASE"), "PostgreSQL", StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection string of <paramref name="database"/> in this cluster.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = port,
        Database = database,
        Username = "postgres",
        // Test hosts come and go by the hundred; idle connections of a stopped host must not pile up to max_connections.
        ConnectionIdleLifetime = 2,
        ConnectionPruningInterval = 1,
    }.ConnectionString;

    /// <summary>
    /// The database that belongs to <paramref name="key"/> (a test's database path, so two hosts given the same path
    /// share it, as they would share a SQLite file), created from the migrated template (or, with
    /// <paramref name="migrated"/> false, empty) when it does not exist yet.
    /// </summary>
    public string DatabaseFor(string key, bool migrated = true)
    {
        var name = "portal_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
        creating.Wait();
        try
        {
            using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
            connection.Open();
            using var exists = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{name}'", connection);
            if (exists.ExecuteScalar() is null)
            {
                using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE {(migrated ? TemplateDatabase : "template0")}", connection);
                create.ExecuteNonQuery();
            }
        }
        finally
        {
            creating.Release();
        }
        return ConnectionString(name);
    }

    /// <summary>Drops <paramref name="connectionString"/>'s database, ending whatever connections still use it.</summary>
    public void Drop(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }

    private static PostgreSqlCluster Start()
    {
        var bin = FindServerBinaries();
        var asRoot = Environment.UserName == "root";
        DeleteOrphanedClusters(bin, asRoot);
        var data = Path.Combine(Path.GetTempPath(), $"portal-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (asRoot)
        {
            // initdb and postgres refuse to run as root; Debian's package created the postgres user.
            Run("chown", ["postgres:postgres", data], asPostgres: false);
        }
        var port = PortalHost.FreeLoopbackPort();
        Run(Path.Combine(bin, "initdb"), ["-D", Path.Combine(data, "cluster"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], asRoot);
        Run(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(data, "cluster"), "-l", Path.Combine(data, "server.log"), "-w", "-t", "120",
            "-o", $"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=500 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start"], asRoot);
        var cluster = new PostgreSqlCluster(bin, data, port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop(asRoot);
        cluster.CreateTemplate();
        return cluster;
    }

    private void CreateTemplate()
    {
        using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {TemplateDatabase}", connection);
            create.ExecuteNonQuery();
        }
        var template = ConnectionString(TemplateDatabase) + ";Pooling=false";
        using var db = new PostgreSqlPortalDbContext(new DbContextOptionsBuilder<PostgreSqlPortalDbContext>().UseNpgsql(template).Options);
        db.Database.Migrate();
    }

    private void Stop(bool asRoot)
    {
        try
        {
            Run(Path.Combine(binDirectory, "pg_ctl"), ["-D", Path.Combine(dataDirectory, "cluster"), "-m", "immediate", "stop"], asRoot);
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (Exception)
        {
            // The process is exiting; a leftover folder in /tmp is all that remains.
        }
    }

    /// <summary>
    /// Earlier runs' clusters whose test process is gone: a killed test process cannot stop its server, and the test
    /// runner may end one before its exit handler has finished. Clusters of test processes still running are left alone.
    /// </summary>
    private static void DeleteOrphanedClusters(string bin, bool asRoot)
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), "portal-pg-*"))
        {
            var ownerFile = Path.Combine(folder, OwnerFile);
            if (File.Exists(ownerFile) && int.TryParse(File.ReadAllText(ownerFile), out var owner) && IsRunning(owner))
            {
                continue;
            }
            try
            {
                if (File.Exists(Path.Combine(folder, "cluster", "postmaster.pid")))
                {
                    Run(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(folder, "cluster"), "-m", "immediate", "stop"], asRoot);
                }
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Another run is cleaning it up, or it is not ours to stop; /tmp is cleaned with the machine.
            }
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string FindServerBinaries()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var version) ? version : 0).FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb): run ./test.sh, which installs Debian's postgresql package, or apt-get install postgresql.");
    }

    private static void Run(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = asPostgres
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(program)} did not finish within 3 minutes.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {output.Result}{errors.Result}");
        }
    }
}
