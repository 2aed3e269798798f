using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Persistence;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Status;
using Portal.Tests.Fakes;
using Portal.Tests.Host.Status;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.Conditions;
using Xunit.Abstractions;

namespace Portal.Tests.Host.ScaleOut;

/// <summary>
/// Two portal hosts in this process sharing one PostgreSQL database, as two instances behind a load balancer would:
/// one runs the background passes (the lease), both dashboards show every result and sign-in, the other takes over when
/// the first goes away, and a dropped listening connection comes back and catches up.
/// </summary>
[Trait("Database", "PostgreSQL")]
public sealed class StatusAcrossInstancesHostTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    // Upper bounds allow for a starved CI machine delaying timers; lower bounds (nothing early, nothing twice) are exact.
    private static readonly TimeSpan SchedulingSlack = TimeSpan.FromSeconds(1.5);
    private readonly string databasePath = TestPaths.NewDatabasePath();
    private readonly List<PortalHost> hosts = [];
    private readonly List<BitbucketFake> fakes = [];
    private string? connectionString;
    private readonly List<string> restrictedRoles = [];

    private string ConnectionString => connectionString ??= PostgreSqlCluster.Shared.DatabaseFor(databasePath);

    public async Task InitializeAsync() => fakes.Add(await BitbucketFake.StartAsync(new BitbucketFakeOptions()));

    private BitbucketFake Server => fakes[0];

    [Fact]
    public async Task Two_instances_probe_each_integration_once_per_interval_and_both_boards_show_every_result()
    {
        var ids = await CreateIntegrationsAsync(5);
        var passes = new ConcurrentQueue<(string Host, ProbePassSummary Pass, int Probes)>();
        var (first, second) = (StartInstance("first"), StartInstance("second"));
        foreach (var (host, name) in new[] { (first, "first"), (second, "second") })
        {
            host.Services.GetRequiredService<IntegrationStatusService>().PassCompleted +=
                pass => passes.Enqueue((name, pass, Server.ApplicationPropertiesRequests));
            await host.Services.GetRequiredService<IntegrationStatusService>().EnsureBoardAsync();
        }
        var shownOnSecond = new ConcurrentDictionary<Guid, DateTimeOffset>();
        var shownOnFirst = new ConcurrentDictionary<Guid, DateTimeOffset>();
        Watch(first, shownOnFirst);
        Watch(second, shownOnSecond);

        await WaitForAsync(() => passes.Count >= 6, TimeSpan.FromSeconds(60), "six passes");

        var counted = passes.Take(6).ToList();
        Assert.Equal(6 * 5, counted[^1].Probes);
        for (var i = 1; i < counted.Count; i++)
        {
            Assert.Equal(5, counted[i].Probes - counted[i - 1].Probes);
            // Passes start one interval apart by the database's clock; this host's clock may differ by a few milliseconds.
            Assert.InRange(counted[i].Pass.StartedAt - counted[i - 1].Pass.StartedAt, Interval - TimeSpan.FromMilliseconds(300), Interval + SchedulingSlack);
        }
        // Normally one instance runs every pass; on a starved machine the lease may move, but never to two at once.
        foreach (var host in counted.Select(p => p.Host).Distinct())
        {
            Assert.Contains((host == "first" ? first : second).Logs.Entries, e => e.Message.Contains("took the status scheduler's lease", StringComparison.Ordinal));
        }
        await WaitForAsync(() => ids.All(id => SameMoment(shownOnFirst.GetValueOrDefault(id), LatestReportOn(second, id)) && SameMoment(shownOnSecond.GetValueOrDefault(id), LatestReportOn(first, id))),
            TimeSpan.FromSeconds(10), "both boards to show the same latest results");

        var window = counted[^1].Pass.StartedAt - counted[0].Pass.StartedAt;
        var intervals = window / Interval;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Two instances, 5 integrations, interval {Interval.TotalSeconds} s: {counted[^1].Probes - counted[0].Probes} probes in the {window.TotalSeconds:0.00} s between pass 1 and pass 6 ({intervals:0.00} intervals) = {(counted[^1].Probes - counted[0].Probes) / intervals:0.00} probes per interval; passes ran on: {string.Join(", ", counted.Select(p => p.Host))}."));
    }

    [Fact]
    public async Task A_check_now_on_one_instance_reaches_the_other_instances_board_without_a_probe_there()
    {
        var id = (await CreateIntegrationsAsync(1)).Single();
        var (first, second) = (StartInstance("first", enabled: false), StartInstance("second", enabled: false));
        await second.Services.GetRequiredService<IntegrationStatusService>().EnsureBoardAsync();
        await WaitForListenerAsync(second);
        var changes = new ConcurrentQueue<(StatusBoardChange Change, TimeSpan At)>();
        var watch = Stopwatch.StartNew();
        second.Services.GetRequiredService<StatusBoard>().Changed += change => changes.Enqueue((change, watch.Elapsed));

        var checkedOnFirst = (await first.Services.GetRequiredService<IntegrationStatusService>().CheckNowAsync(await first.Services.AdministratorAsync(), id)).Value!;
        var checkedAfter = watch.Elapsed;

        await WaitForAsync(() => changes.Any(c => c.Change.Snapshot?.LastReport is not null), TimeSpan.FromSeconds(10), "the result on the second instance's board");
        var shown = changes.First(c => c.Change.Snapshot?.LastReport is not null);
        Assert.Equal(id, shown.Change.IntegrationId);
        Assert.True(SameMoment(checkedOnFirst.LastReport!.CheckedAt, shown.Change.Snapshot!.LastReport!.CheckedAt));
        Assert.Equal(IntegrationStatus.NotVerified, shown.Change.Snapshot.Status);
        Assert.Equal(1, shown.Change.Snapshot.Last24Hours.Sum(h => h.Checks));
        Assert.Equal(1, Server.ApplicationPropertiesRequests);
        output.WriteLine($"The second board showed the first instance's Check now {(shown.At - checkedAfter).TotalMilliseconds:0} ms after it returned.");
    }

    [Fact]
    public async Task A_sign_in_recorded_on_one_instance_reaches_the_other_instances_board_and_ages_out_of_it_after_24_hours()
    {
        var id = (await CreateIntegrationsAsync(1)).Single();
        var (first, second) = (StartInstance("first", enabled: false), StartInstance("second", enabled: false));
        await second.Services.GetRequiredService<IntegrationStatusService>().EnsureBoardAsync();
        await WaitForListenerAsync(second);
        var board = second.Services.GetRequiredService<StatusBoard>();

        var (state, correlation) = await StatusSchedulerHostTests.AddPendingAuthorizationAsync(first, id);
        await using (var scope = first.Services.CreateAsyncScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<SignInService>()
                .CompleteAsync(id, new CallbackParameters(state, null, "access_denied", null), [correlation], Actor.Anonymous);
            Assert.False(outcome.Succeeded);
        }

        await WaitForAsync(() => board.Find(id)?.SignIns.FailuresLast24Hours == 1, TimeSpan.FromSeconds(10), "the failed sign-in on the second instance's board");
        var snapshot = board.Find(id)!;
        Assert.Equal("access_denied", snapshot.SignIns.LastFailureErrorCode);
        Assert.Equal(0, Server.ApplicationPropertiesRequests);

        // A day passes: the failure is now older than 24 hours. The first instance's results are all the second hears,
        // and the second runs no passes of its own.
        await using (var db = await first.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            await db.SignInEvents.Where(e => e.IntegrationId == id).ExecuteUpdateAsync(e => e.SetProperty(x => x.OccurredAt, DateTimeOffset.UtcNow.AddHours(-25)));
        }
        await first.Services.GetRequiredService<IntegrationStatusService>().CheckNowAsync(await first.Services.AdministratorAsync(), id);

        await WaitForAsync(() => board.Find(id)?.SignIns.FailuresLast24Hours == 0, TimeSpan.FromSeconds(10), "the old failure to age out on the second instance's board");
    }

    [Fact]
    public async Task An_integration_renamed_disabled_or_deleted_on_one_instance_shows_so_on_the_other_instances_board_without_a_pass()
    {
        var ids = await CreateIntegrationsAsync(2);
        var (first, second) = (StartInstance("first", enabled: false), StartInstance("second", enabled: false));
        await first.Services.GetRequiredService<IntegrationStatusService>().EnsureBoardAsync();
        await second.Services.GetRequiredService<IntegrationStatusService>().EnsureBoardAsync();
        await WaitForListenerAsync(second);
        var (firstBoard, secondBoard) = (first.Services.GetRequiredService<StatusBoard>(), second.Services.GetRequiredService<StatusBoard>());
        var administrator = await first.Services.AdministratorAsync();

        await using (var scope = first.Services.CreateAsyncScope())
        {
            var editing = scope.ServiceProvider.GetRequiredService<IntegrationEditing>();
            var details = (await editing.FindAsync(ids[0]))!;
            var edited = await editing.EditAsync(administrator,
                new IntegrationEdit(details.Id, "Renamed Bitbucket", details.BaseUrl, details.ServerVersion, details.OAuthVersion, details.ClientId, ClientSecret: ""));
            Assert.True(edited.Value!.Succeeded, string.Join("; ", edited.Value.Errors.Select(e => e.ErrorMessage)));
            // The instance that made the change shows it at once.
            Assert.Equal("Renamed Bitbucket", firstBoard.Find(ids[0])!.Integration.Name);
            var lifecycle = scope.ServiceProvider.GetRequiredService<IntegrationLifecycle>();
            Assert.True((await lifecycle.SetEnabledAsync(administrator, ids[0], enabled: false)).Value!.Done);
            Assert.True((await lifecycle.DeleteAsync(administrator, ids[1], firstBoard.Find(ids[1])!.Integration.Name)).Value!.Done);
        }

        await WaitForAsync(() => secondBoard.Find(ids[0]) is { Integration: { Name: "Renamed Bitbucket", Enabled: false } } && secondBoard.Find(ids[1]) is null,
            TimeSpan.FromSeconds(10), "the rename, the disable and the delete on the second instance's board");
        Assert.Equal(IntegrationStatus.Disabled, secondBoard.Find(ids[0])!.Status);
        Assert.Equal(0, Server.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task When_the_lease_holder_stops_another_instance_takes_over_within_one_interval()
    {
        await CreateIntegrationsAsync(3);
        var instances = new[] { StartInstance("first"), StartInstance("second") };
        var passes = new ConcurrentQueue<(int Instance, ProbePassSummary Pass)>();
        for (var i = 0; i < instances.Length; i++)
        {
            var instance = i;
            instances[i].Services.GetRequiredService<IntegrationStatusService>().PassCompleted += pass => passes.Enqueue((instance, pass));
        }
        await WaitForAsync(() => !passes.IsEmpty, TimeSpan.FromSeconds(30), "a pass");
        var holder = await LeaseHolderAsync(instances);
        Assert.True(holder >= 0, "Neither instance holds the lease.");
        await WaitForAsync(() => passes.Any(p => p.Instance == holder), Interval * 3, "a pass by the lease holder");
        var lastPass = passes.Last(p => p.Instance == holder).Pass;
        var survivor = instances[1 - holder];
        var tookBefore = TookLeaseCount(survivor);

        var stoppedAt = DateTimeOffset.UtcNow;
        await StopAsync(instances[holder]);
        var stopped = DateTimeOffset.UtcNow;

        await WaitForAsync(() => TookLeaseCount(survivor) > tookBefore, Interval * 3, "the survivor to take the lease");
        var tookOver = DateTimeOffset.UtcNow;
        Assert.Contains(instances[holder].Logs.Entries, e => e.Message.Contains("released the status scheduler's lease", StringComparison.Ordinal));
        await WaitForAsync(() => passes.Any(p => p.Instance != holder && p.Pass.StartedAt > stoppedAt), Interval * 3, "a pass on the survivor");
        var pass = passes.First(p => p.Instance != holder && p.Pass.StartedAt > stoppedAt).Pass;
        // The next pass is due one interval after the holder's last one started, which was before it stopped.
        Assert.True(pass.StartedAt - stoppedAt <= Interval + SchedulingSlack, $"The survivor's first pass started {(pass.StartedAt - stoppedAt).TotalMilliseconds:0} ms after the holder began stopping.");
        Assert.InRange(pass.StartedAt - lastPass.StartedAt, Interval - TimeSpan.FromMilliseconds(300), Interval + SchedulingSlack);
        output.WriteLine($"Graceful stop: the holder stopped in {(stopped - stoppedAt).TotalMilliseconds:0} ms; the survivor took the lease {(tookOver - stopped).TotalMilliseconds:0} ms after that (polled every 50 ms) and started its first pass {(pass.StartedAt - stoppedAt).TotalMilliseconds:0} ms after the stop began, {(pass.StartedAt - lastPass.StartedAt).TotalMilliseconds:0} ms after the holder's last pass.");
    }

    [Fact]
    public async Task When_the_lease_holder_dies_without_releasing_another_instance_probes_within_one_interval()
    {
        await CreateIntegrationsAsync(3);
        var roles = new[] { await CreateRestrictableRoleAsync(), await CreateRestrictableRoleAsync() };
        var instances = new[] { StartInstance("first", role: roles[0]), StartInstance("second", role: roles[1]) };
        var passes = new ConcurrentQueue<(int Instance, ProbePassSummary Pass)>();
        for (var i = 0; i < instances.Length; i++)
        {
            var instance = i;
            instances[i].Services.GetRequiredService<IntegrationStatusService>().PassCompleted += pass => passes.Enqueue((instance, pass));
        }
        await WaitForAsync(() => !passes.IsEmpty, TimeSpan.FromSeconds(30), "a pass");
        var holder = await LeaseHolderAsync(instances);
        Assert.True(holder >= 0, "Neither instance holds the lease.");
        await WaitForAsync(() => passes.Any(p => p.Instance == holder), Interval * 3, "a pass by the lease holder");
        var lastPass = passes.Last(p => p.Instance == holder).Pass;
        var survivor = instances[1 - holder];
        var tookBefore = TookLeaseCount(survivor);

        // To the database the holder is gone, as after kill -9: its connections end and it cannot come back to renew
        // or release the lease.
        var diedAt = DateTimeOffset.UtcNow;
        await CutOffRoleAsync(roles[holder]);
        var probesAtDeath = Server.ApplicationPropertiesRequests;

        await WaitForAsync(() => TookLeaseCount(survivor) > tookBefore, Interval * 3, "the survivor to take the lease");
        var tookOver = DateTimeOffset.UtcNow;
        await WaitForAsync(() => passes.Any(p => p.Instance != holder && p.Pass.StartedAt > diedAt), Interval * 3, "a pass on the survivor");
        var pass = passes.First(p => p.Instance != holder && p.Pass.StartedAt > diedAt).Pass;
        // The lease lasts 0.4 intervals and is tried every 0.1: taken over within half an interval (plus the polling here).
        Assert.True(tookOver - diedAt <= Interval * 0.5 + SchedulingSlack, $"The survivor took the lease {(tookOver - diedAt).TotalMilliseconds:0} ms after the holder died.");
        Assert.True(pass.StartedAt - diedAt <= Interval + SchedulingSlack, $"The survivor's first pass started {(pass.StartedAt - diedAt).TotalMilliseconds:0} ms after the holder died.");
        Assert.True(Server.ApplicationPropertiesRequests >= probesAtDeath + 3);
        Assert.Contains(instances[holder].Logs.Entries, e => e.Message.Contains("could not take or renew the status scheduler's lease", StringComparison.Ordinal));
        output.WriteLine($"Holder cut off from the database: the survivor took the lease {(tookOver - diedAt).TotalMilliseconds:0} ms later (polled every 50 ms) and started its first pass {(pass.StartedAt - diedAt).TotalMilliseconds:0} ms later (interval {Interval.TotalMilliseconds:0} ms; the holder's last pass had started {(diedAt - lastPass.StartedAt).TotalMilliseconds:0} ms before).");
    }

    /// <summary>Which of <paramref name="instances"/> holds the lease now (on a starved machine it may have moved since the last pass).</summary>
    private static async Task<int> LeaseHolderAsync(PortalHost[] instances)
    {
        await using var db = await instances[0].Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var holder = await db.Database.SqlQuery<string>($"SELECT \"Holder\" AS \"Value\" FROM \"StatusSchedulerLeases\"").SingleAsync();
        return Array.FindIndex(instances, i => i.Services.GetRequiredService<InstanceIdentity>().Name == holder);
    }

    private static int TookLeaseCount(PortalHost host) =>
        host.Logs.Entries.Count(e => e.Message.Contains("took the status scheduler's lease", StringComparison.Ordinal));

    [Fact]
    public async Task The_listener_reconnects_after_its_connection_is_terminated_and_shows_what_it_missed()
    {
        var ids = await CreateIntegrationsAsync(2);
        var (first, second) = (StartInstance("first", enabled: false), StartInstance("second", enabled: false));
        var board = second.Services.GetRequiredService<StatusBoard>();
        await second.Services.GetRequiredService<IntegrationStatusService>().EnsureBoardAsync();
        var backend = await WaitForListenerAsync(second);
        var statusOnFirst = first.Services.GetRequiredService<IntegrationStatusService>();
        var administrator = await first.Services.AdministratorAsync();

        await using (var connection = await OpenClusterAsync())
        await using (var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend({backend})", connection))
        {
            Assert.Equal(true, await terminate.ExecuteScalarAsync());
        }
        // Announced while nobody listens on the second instance: it shows up through the reload after reconnecting.
        var missed = (await statusOnFirst.CheckNowAsync(administrator, ids[0])).Value!;

        await WaitForAsync(() => SameMoment(board.Find(ids[0])?.LastReport?.CheckedAt, missed.LastReport!.CheckedAt), TimeSpan.FromSeconds(15), "the missed result after reconnecting");
        var newBackend = await WaitForListenerAsync(second);
        Assert.NotEqual(backend, newBackend);
        Assert.Contains(second.Logs.Entries, e => e.Message.Contains("lost its connection for other instances' status changes", StringComparison.Ordinal));
        Assert.Contains(second.Logs.Entries, e => e.Message.Contains("listens for other instances' status changes again", StringComparison.Ordinal));

        var live = (await statusOnFirst.CheckNowAsync(administrator, ids[1])).Value!;
        await WaitForAsync(() => SameMoment(board.Find(ids[1])?.LastReport?.CheckedAt, live.LastReport!.CheckedAt), TimeSpan.FromSeconds(10), "a live result after reconnecting");
        Assert.Equal(1, board.Find(ids[0])!.Last24Hours.Sum(h => h.Checks));
        Assert.Equal(2, Server.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task A_single_instance_holds_the_lease_probes_on_schedule_and_releases_it_when_stopping()
    {
        // On the provider of this test pass: SQLite by default, PostgreSQL in test.sh's second pass.
        var server = Server;
        var database = new TestDatabase();
        try
        {
            await using (var db = database.CreateContext())
            {
                db.Integrations.Add(NewIntegration("Acme", server.BaseUrl));
                await db.SaveChangesAsync();
            }
            var started = DateTimeOffset.UtcNow;
            var host = new PortalHost(database.Path, new Dictionary<string, string?> { ["Status:ProbeInterval"] = "00:00:01" });
            host.Start();
            var passes = new ConcurrentQueue<ProbePassSummary>();
            host.Services.GetRequiredService<IntegrationStatusService>().PassCompleted += passes.Enqueue;

            await WaitForAsync(() => passes.Count >= 3, TimeSpan.FromSeconds(30), "three passes");
            var counted = passes.Take(3).ToList();
            // A fresh portal's first pass waits one interval.
            Assert.True(counted[0].StartedAt - started >= TimeSpan.FromMilliseconds(950), $"The first pass started {(counted[0].StartedAt - started).TotalMilliseconds:0} ms after the start.");
            Assert.InRange(counted[2].StartedAt - counted[1].StartedAt, TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(1) + SchedulingSlack);
            Assert.True(server.ApplicationPropertiesRequests >= 3);
            var took = Assert.Single(host.Logs.Entries, e => e.Message.Contains("took the status scheduler's lease", StringComparison.Ordinal));
            await host.DisposeAsync();

            await using var check = database.CreateContext();
            var lease = await check.StatusSchedulerLeases.SingleAsync();
            Assert.Contains(lease.Holder, took.Message, StringComparison.Ordinal);
            Assert.Equal(0, lease.ExpiresAtUnixMilliseconds);
        }
        finally
        {
            database.Dispose();
        }
    }

    private PortalHost StartInstance(string name, bool enabled = true, string? role = null)
    {
        var connection = role is null ? ConnectionString : new NpgsqlConnectionStringBuilder(ConnectionString) { Username = role }.ConnectionString;
        var host = new PortalHost(databasePath, new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSQL",
            ["Database:ConnectionString"] = connection,
            ["Status:Enabled"] = enabled ? "true" : "false",
            ["Status:ProbeInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture),
            ["Status:ProbeTimeout"] = "00:00:05",
        });
        hosts.Add(host);
        host.Start();
        output.WriteLine($"The {name} instance runs at {host.BaseUrl}.");
        return host;
    }

    private async Task<List<Guid>> CreateIntegrationsAsync(int count)
    {
        await using var db = new PostgreSqlPortalDbContext(new DbContextOptionsBuilder<PostgreSqlPortalDbContext>().UseNpgsql(ConnectionString).Options);
        var integrations = Enumerable.Range(0, count).Select(i => NewIntegration(string.Create(CultureInfo.InvariantCulture, $"Bitbucket {i:00}"), Server.BaseUrl)).ToList();
        db.Integrations.AddRange(integrations);
        await db.SaveChangesAsync();
        return [.. integrations.Select(i => i.Id)];
    }

    private static Integration NewIntegration(string name, string baseUrl) => new()
    {
        Platform = BitbucketServerPlatform.KindOf.Key,
        Id = Guid.NewGuid(),
        Name = name,
        BaseUrl = baseUrl,
        ServerVersion = "8.9.1",
        ClientId = "client",
        CreatedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Stored times keep a tenth of a millisecond (EF Core's DateTimeOffset-to-binary conversion).</summary>
    private static readonly TimeSpan StoredPrecision = TimeSpan.FromMilliseconds(1);

    private static bool SameMoment(DateTimeOffset? shown, DateTimeOffset expected) =>
        shown is { } value && (value - expected).Duration() < StoredPrecision;

    private static void Watch(PortalHost host, ConcurrentDictionary<Guid, DateTimeOffset> shown) =>
        host.Services.GetRequiredService<StatusBoard>().Changed += change =>
        {
            if (change.Snapshot?.LastReport is { } report)
            {
                shown.AddOrUpdate(change.IntegrationId, report.CheckedAt, (_, seen) => seen > report.CheckedAt ? seen : report.CheckedAt);
            }
        };

    private static DateTimeOffset LatestReportOn(PortalHost host, Guid id) =>
        host.Services.GetRequiredService<StatusBoard>().Find(id)?.LastReport?.CheckedAt ?? DateTimeOffset.MaxValue;

    /// <summary>Waits until the instance's listening connection is in <c>pg_stat_activity</c>; returns its backend's process id.</summary>
    private async Task<int> WaitForListenerAsync(PortalHost host)
    {
        var listener = host.Services.GetServices<IHostedService>().OfType<StatusFeedListener>().Single();
        var database = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            await using (var connection = await OpenClusterAsync())
            await using (var find = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE application_name = @name AND datname = @database AND query LIKE 'LISTEN%'", connection))
            {
                find.Parameters.AddWithValue("name", listener.ApplicationName);
                find.Parameters.AddWithValue("database", database!);
                if (await find.ExecuteScalarAsync() is int pid)
                {
                    return pid;
                }
            }
            if (watch.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException($"Waited 15 s for the listener of {host.BaseUrl}.");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>A login role the test can later cut off from the database, as if the instance using it had died.</summary>
    private async Task<string> CreateRestrictableRoleAsync()
    {
        var restrictedRole = "portal_instance_" + Guid.NewGuid().ToString("N")[..12];
        restrictedRoles.Add(restrictedRole);
        await using var connection = await OpenClusterAsync();
        await using var create = new NpgsqlCommand($"CREATE ROLE {restrictedRole} LOGIN SUPERUSER", connection);
        await create.ExecuteNonQueryAsync();
        return restrictedRole;
    }

    private static async Task CutOffRoleAsync(string restrictedRole)
    {
        await using var connection = await OpenClusterAsync();
        await using var cut = new NpgsqlCommand(
            $"ALTER ROLE {restrictedRole} NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{restrictedRole}'", connection);
        await cut.ExecuteNonQueryAsync();
    }

    private static async Task<NpgsqlConnection> OpenClusterAsync()
    {
        var connection = new NpgsqlConnection(PostgreSqlCluster.Shared.ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        return connection;
    }

    private async Task StopAsync(PortalHost host)
    {
        hosts.Remove(host);
        await host.DisposeAsync();
    }

    private static Task WaitForLogAsync(PortalHost host, string text) =>
        WaitForAsync(() => host.Logs.Entries.Any(e => e.Message.Contains(text, StringComparison.Ordinal)), TimeSpan.FromSeconds(15), $"\"{text}\" in the log of {host.BaseUrl}");

    public async Task DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }
        foreach (var fake in fakes)
        {
            await fake.DisposeAsync();
        }
        if (connectionString is not null)
        {
            PostgreSqlCluster.Shared.Drop(connectionString);
        }
        foreach (var restrictedRole in restrictedRoles)
        {
            await using var connection = await OpenClusterAsync();
            await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {restrictedRole}", connection);
            await drop.ExecuteNonQueryAsync();
        }
        TestPaths.DeleteDatabase(databasePath);
    }
}
