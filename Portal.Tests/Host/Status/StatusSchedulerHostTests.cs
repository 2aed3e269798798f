using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Authorization;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Persistence;
using Portal.Core.Security;
using Portal.Core.Status;
using Portal.Features.Status;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.Conditions;
using Xunit.Abstractions;

namespace Portal.Tests.Host.Status;

/// <summary>The real portal's scheduler against Bitbucket fakes: probes per interval, open dashboards, hung servers, sign-ins.</summary>
public sealed class StatusSchedulerHostTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private readonly List<BitbucketFake> fakes = [];
    private readonly List<BunitContext> viewers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task<BitbucketFake> StartFakeAsync(string contextPath = "")
    {
        var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = contextPath });
        fakes.Add(fake);
        return fake;
    }

    /// <summary>Creates integrations straight in the database, spread over the fakes, before the portal starts.</summary>
    private async Task<List<Guid>> CreateIntegrationsAsync(int count, BitbucketFake[] over, string prefix = "Bitbucket")
    {
        await using var db = database.CreateContext();
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var integration = new Integration
            {
                Platform = BitbucketServerPlatform.KindOf.Key,
                Id = Guid.NewGuid(),
                Name = string.Create(CultureInfo.InvariantCulture, $"{prefix} {i:000}"),
                BaseUrl = over[i % over.Length].BaseUrl,
                ServerVersion = "8.9.1",
                ClientId = "client",
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Integrations.Add(integration);
            ids.Add(integration.Id);
        }
        await db.SaveChangesAsync();
        return ids;
    }

    private PortalHost StartHost(params (string Key, string Value)[] settings)
    {
        var host = new PortalHost(database.Path, settings.ToDictionary(s => s.Key, s => (string?)s.Value));
        host.Start();
        return host;
    }

    /// <summary>A dashboard rendered the way a circuit renders it, over the host's own board and status service.</summary>
    private async Task<IRenderedComponent<StatusDashboard>> OpenDashboardAsync(PortalHost host)
    {
        var ctx = new BunitContext();
        viewers.Add(ctx);
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddSingleton(host.Services.GetRequiredService<StatusBoard>());
        ctx.Services.AddSingleton(host.Services.GetRequiredService<IntegrationStatusService>());
        ctx.Services.AddSingleton(host.Services.GetRequiredService<IOptions<StatusOptions>>());
        ctx.Services.AddSingleton(host.Services.GetRequiredService<AdministratorGate>());
        ctx.Services.AddSingleton(TimeProvider.System);
        ctx.AddAuthorization().SignInAs(await host.Services.AdministratorAsync());
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return ctx.Render<StatusDashboard>();
    }

    /// <summary>
    /// An open dashboard as the board sees it: a subscriber that reads every snapshot on each change. (Rendering a
    /// hundred cards twenty times per pass in bUnit costs seconds of CPU and would measure bUnit, not the portal; real
    /// dashboards over the host's services are in <see cref="Open_dashboards_alone_cause_no_probes"/>.)
    /// </summary>
    private sealed class OpenDashboardCircuit : IDisposable
    {
        private readonly StatusBoard board;
        private int notifications;

        public OpenDashboardCircuit(StatusBoard board)
        {
            this.board = board;
            board.Changed += OnChanged;
        }

        public int Notifications => Volatile.Read(ref notifications);

        public IReadOnlyList<IntegrationStatusSnapshot> Shown { get; private set; } = [];

        private void OnChanged(StatusBoardChange change)
        {
            Interlocked.Increment(ref notifications);
            Shown = board.Snapshots;
        }

        public void Dispose() => board.Changed -= OnChanged;
    }

    [Fact]
    public async Task A_hundred_integrations_and_twenty_open_dashboards_cost_exactly_a_hundred_probes_per_interval()
    {
        BitbucketFake[] servers = [await StartFakeAsync(), await StartFakeAsync("/bitbucket"), await StartFakeAsync("/bb"), await StartFakeAsync("/git")];
        await CreateIntegrationsAsync(100, servers);
        var passes = new ConcurrentQueue<(ProbePassSummary Pass, int Probes)>();
        await using var host = StartHost(("Status:ProbeInterval", "00:00:01"), ("Status:ProbeTimeout", "00:00:05"), ("Status:MaxConcurrentProbes", "8"));
        var service = host.Services.GetRequiredService<IntegrationStatusService>();
        var board = host.Services.GetRequiredService<StatusBoard>();
        // Read at the end of each pass, before the next can start: the difference between two is exactly one pass's probes.
        service.PassCompleted += pass => passes.Enqueue((pass, servers.Sum(s => s.ApplicationPropertiesRequests)));

        await WaitForAsync(() => !passes.IsEmpty, TimeSpan.FromSeconds(30), "the first pass");
        var circuits = Enumerable.Range(0, 20).Select(_ => new OpenDashboardCircuit(board)).ToList();
        // Opening a dashboard loads the board and syncs its list of integrations, as the page does.
        foreach (var _ in circuits)
        {
            await service.EnsureBoardAsync();
        }
        Assert.Equal(20, board.SubscriberCount);
        await WaitForAsync(() => passes.Count >= 4, TimeSpan.FromSeconds(60), "four passes");
        circuits.ForEach(c => c.Dispose());

        var counted = passes.Take(4).ToList();
        var previous = 0;
        foreach (var (pass, probes) in counted)
        {
            Assert.Equal(100, pass.Integrations);
            Assert.Equal(100, probes - previous);
            previous = probes;
        }
        foreach (var circuit in circuits)
        {
            // Pass 2 may have started before the dashboards opened; passes 3 and 4 reached them in full.
            Assert.True(circuit.Notifications >= 200, $"A dashboard was told about {circuit.Notifications} changes.");
            Assert.Equal(100, circuit.Shown.Count(s => s.Status == IntegrationStatus.NotVerified));
        }
        await using var db = database.CreateContext();
        Assert.True(await db.ProbeResults.CountAsync() >= 400);

        output.WriteLine($"Pass 1 (no dashboard open): 100 integrations in {counted[0].Pass.Duration.TotalMilliseconds:0} ms.");
        for (var i = 1; i < counted.Count; i++)
        {
            output.WriteLine($"Pass {i + 1} (20 dashboards open): 100 integrations in {counted[i].Pass.Duration.TotalMilliseconds:0} ms.");
        }
        output.WriteLine($"Probes counted at the fakes after {counted.Count} passes: {previous} (MaxConcurrentProbes 8, interval 1 s).");
    }

    [Fact]
    public async Task Without_background_checks_sign_in_failures_still_age_out_of_the_status()
    {
        var server = await StartFakeAsync();
        var id = Assert.Single(await CreateIntegrationsAsync(1, [server]));
        var clock = new ShiftableTimeProvider();
        await using (var db = database.CreateContext())
        {
            db.SignInEvents.Add(new Portal.Core.Accounts.SignInEvent
            {
                IntegrationId = id, OccurredAt = clock.GetUtcNow().AddMinutes(-5), Succeeded = false,
                FailedStep = Portal.Core.Accounts.SignInStep.Token, FailureReason = "Bitbucket refused the Client Secret.",
            });
            await db.SaveChangesAsync();
        }
        await using var host = new PortalHost(database.Path, new Dictionary<string, string?> { ["Status:Enabled"] = "false", ["Status:ProbeInterval"] = "00:00:01" },
            services => services.AddSingleton<TimeProvider>(clock));
        host.Start();
        await host.Services.GetRequiredService<IntegrationStatusService>().EnsureBoardAsync();
        var board = host.Services.GetRequiredService<StatusBoard>();
        Assert.Equal(1, board.Find(id)!.SignIns.FailuresLast24Hours);

        clock.Advance(TimeSpan.FromHours(24));

        await WaitForAsync(() => board.Find(id)!.SignIns.FailuresLast24Hours == 0, TimeSpan.FromSeconds(30), "the failure to age out");
        Assert.Equal(0, server.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task Open_dashboards_alone_cause_no_probes()
    {
        var server = await StartFakeAsync();
        await CreateIntegrationsAsync(10, [server]);
        await using var host = StartHost(("Status:Enabled", "false"));

        var dashboards = new List<IRenderedComponent<StatusDashboard>>();
        for (var i = 0; i < 20; i++)
        {
            dashboards.Add(await OpenDashboardAsync(host));
        }
        foreach (var dashboard in dashboards)
        {
            dashboard.WaitForAssertion(() => Assert.Equal(10, dashboard.FindAll("[data-testid=status-card]").Count));
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.Equal(0, server.ApplicationPropertiesRequests);
        Assert.All(dashboards, d => Assert.Equal(10, d.FindAll("[data-testid=status-badge]").Count(b => b.TextContent.Trim() == "Not checked yet")));
    }

    [Fact]
    public async Task A_hung_bitbucket_delays_no_other_integrations_result_beyond_the_timeout()
    {
        var hung = await StartFakeAsync();
        hung.Mode = FakeMode.Slow;
        hung.SlowDelay = TimeSpan.FromSeconds(60);
        var healthy = await StartFakeAsync("/bitbucket");
        var hungIds = await CreateIntegrationsAsync(3, [hung], "Hung");
        var healthyIds = await CreateIntegrationsAsync(30, [healthy], "Healthy");
        var timeout = TimeSpan.FromSeconds(3);
        await using var host = StartHost(("Status:Enabled", "false"), ("Status:ProbeTimeout", "00:00:03"), ("Status:MaxConcurrentProbes", "8"));
        var service = host.Services.GetRequiredService<IntegrationStatusService>();
        var board = host.Services.GetRequiredService<StatusBoard>();
        await service.EnsureBoardAsync();
        var arrivals = new ConcurrentDictionary<Guid, (TimeSpan At, IntegrationStatus Status)>();
        var watch = Stopwatch.StartNew();
        board.Changed += change =>
        {
            if (change.Snapshot is { LastReport: not null } snapshot)
            {
                arrivals.TryAdd(change.IntegrationId, (watch.Elapsed, snapshot.Status));
            }
        };

        var pass = await service.RunPassAsync(CancellationToken.None);

        Assert.Equal(33, arrivals.Count);
        var healthyArrivals = healthyIds.Select(id => arrivals[id]).ToList();
        var hungArrivals = hungIds.Select(id => arrivals[id]).ToList();
        Assert.All(healthyArrivals, a => Assert.Equal(IntegrationStatus.NotVerified, a.Status));
        Assert.All(hungArrivals, a => Assert.Equal(IntegrationStatus.Unreachable, a.Status));
        Assert.True(healthyArrivals.Max(a => a.At) < timeout, $"The last healthy result came after {healthyArrivals.Max(a => a.At)}.");
        Assert.True(healthyArrivals.Max(a => a.At) < hungArrivals.Min(a => a.At));
        Assert.All(hungArrivals, a => Assert.InRange(a.At, timeout, timeout + TimeSpan.FromSeconds(3)));
        Assert.True(pass.Duration < timeout + TimeSpan.FromSeconds(3), $"The pass took {pass.Duration}.");
        Assert.Contains("did not answer the version check within 3 seconds", board.Find(hungIds[0])!.Summary, StringComparison.Ordinal);
        output.WriteLine($"Healthy results: last after {healthyArrivals.Max(a => a.At).TotalMilliseconds:0} ms; hung results after {hungArrivals.Min(a => a.At).TotalMilliseconds:0}–{hungArrivals.Max(a => a.At).TotalMilliseconds:0} ms; pass {pass.Duration.TotalMilliseconds:0} ms (timeout 3 s).");
    }

    [Fact]
    public async Task Check_now_does_not_wait_behind_a_pass_that_fills_every_slot_with_hung_servers()
    {
        var hung = await StartFakeAsync();
        hung.Mode = FakeMode.Slow;
        hung.SlowDelay = TimeSpan.FromSeconds(60);
        var healthy = await StartFakeAsync("/bitbucket");
        await CreateIntegrationsAsync(4, [hung], "Hung");
        var checkedNow = (await CreateIntegrationsAsync(1, [healthy], "Healthy")).Single();
        await using var host = StartHost(("Status:Enabled", "false"), ("Status:ProbeTimeout", "00:00:20"), ("Status:MaxConcurrentProbes", "1"));
        var service = host.Services.GetRequiredService<IntegrationStatusService>();
        await service.EnsureBoardAsync();
        using var stopPass = new CancellationTokenSource();
        var pass = service.RunPassAsync(stopPass.Token);
        await WaitForAsync(() => hung.ApplicationPropertiesRequests >= 1, TimeSpan.FromSeconds(30), "the pass holding its only slot");

        var watch = Stopwatch.StartNew();
        var result = await service.CheckNowAsync(await host.Services.AdministratorAsync(), checkedNow);

        // Behind the pass it would have waited for four hung servers' timeouts (80 s); its own slot answers at once.
        Assert.Equal(IntegrationStatus.NotVerified, result.Value!.Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"Check now took {watch.Elapsed}.");
        Assert.False(pass.IsCompleted);
        await stopPass.CancelAsync();
        try
        {
            await pass;
        }
        catch (OperationCanceledException)
        {
            // the pass stopped, as asked
        }
    }

    [Fact]
    public async Task A_failed_sign_in_reaches_the_board_at_once_with_its_reason()
    {
        var server = await StartFakeAsync();
        var id = (await CreateIntegrationsAsync(1, [server], "Acme")).Single();
        await using var host = StartHost(("Status:Enabled", "false"));
        var service = host.Services.GetRequiredService<IntegrationStatusService>();
        var board = host.Services.GetRequiredService<StatusBoard>();
        Assert.Equal(IntegrationStatus.NotVerified, (await service.CheckNowAsync(await host.Services.AdministratorAsync(), id)).Value!.Status);
        var changes = new ConcurrentQueue<StatusBoardChange>();
        board.Changed += changes.Enqueue;

        var (state, correlation) = await AddPendingAuthorizationAsync(host, id);
        await using var scope = host.Services.CreateAsyncScope();
        var flow = scope.ServiceProvider.GetRequiredService<SignInService>();
        var outcome = await flow.CompleteAsync(id, new CallbackParameters(state, null, "access_denied", null), [correlation], Actor.Anonymous);

        Assert.False(outcome.Succeeded);
        var change = Assert.Single(changes);
        var snapshot = change.Snapshot!;
        Assert.Equal(1, snapshot.SignIns.FailuresLast24Hours);
        Assert.Equal(outcome.AdministratorMessage, snapshot.SignIns.LastFailureReason);
        Assert.Equal("access_denied", snapshot.SignIns.LastFailureErrorCode);
        Assert.Equal(IntegrationStatus.Degraded, snapshot.Status);
        Assert.Contains("1 sign-in failed in the last 24 hours", snapshot.Summary, StringComparison.Ordinal);
        Assert.Equal(1, server.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task After_a_restart_the_board_shows_the_stored_results_and_history()
    {
        var server = await StartFakeAsync();
        var id = (await CreateIntegrationsAsync(1, [server], "Acme")).Single();
        await using (var first = StartHost(("Status:Enabled", "false")))
        {
            await first.Services.GetRequiredService<IntegrationStatusService>().CheckNowAsync(await first.Services.AdministratorAsync(), id);
        }

        await using var second = StartHost(("Status:Enabled", "false"));
        await second.Services.GetRequiredService<IntegrationStatusService>().EnsureBoardAsync();

        var snapshot = second.Services.GetRequiredService<StatusBoard>().Find(id)!;
        Assert.Equal(IntegrationStatus.NotVerified, snapshot.Status);
        Assert.Equal("8.9.1", snapshot.LastReport!.ServerVersion);
        Assert.Equal(5, snapshot.LastReport.Steps.Count);
        Assert.Equal(1, snapshot.Last24Hours.Sum(h => h.Checks));
        Assert.Equal(1, server.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task Stopping_the_host_stops_the_scheduler_promptly_even_during_a_hung_probe()
    {
        var hung = await StartFakeAsync();
        hung.Mode = FakeMode.Slow;
        hung.SlowDelay = TimeSpan.FromSeconds(60);
        await CreateIntegrationsAsync(5, [hung], "Hung");
        var host = StartHost(("Status:ProbeInterval", "00:00:01"), ("Status:ProbeTimeout", "00:00:30"));
        await WaitForAsync(() => hung.ApplicationPropertiesRequests >= 5, TimeSpan.FromSeconds(15), "the hung probes");

        var watch = Stopwatch.StartNew();
        await host.DisposeAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Stopping took {watch.Elapsed}.");
    }

    internal static async Task<(string State, string Correlation)> AddPendingAuthorizationAsync(PortalHost host, Guid integrationId)
    {
        var state = SecretHash.NewRandomToken(32);
        var correlation = SecretHash.NewRandomToken(32);
        var protector = host.Services.GetRequiredService<SecretProtector>();
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.PendingAuthorizations.Add(new PendingAuthorization
        {
            StateHash = PendingAuthorizationStore.KeyOf(integrationId, state),
            CorrelationHash = SecretHash.Sha256Hex(correlation),
            IntegrationId = integrationId,
            Purpose = AuthorizationPurpose.SignIn,
            ProtectedSecret = protector.Protect(SecretPurpose.PkceVerifier, "verifier"),
            CreatedAt = DateTimeOffset.UtcNow,
            ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(10),
        });
        await db.SaveChangesAsync();
        return (state, correlation);
    }

    public async Task DisposeAsync()
    {
        foreach (var viewer in viewers)
        {
            await viewer.DisposeAsync();
        }
        foreach (var fake in fakes)
        {
            await fake.DisposeAsync();
        }
        database.Dispose();
    }
}
