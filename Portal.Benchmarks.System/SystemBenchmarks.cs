using System.Diagnostics;
using System.Globalization;
using System.Text;
using Portal.Benchmarks.SystemLevel.Counter;

namespace Portal.Benchmarks.SystemLevel;

/// <summary>
/// Entry point. Without arguments: runs every whole-system measurement of issue 14 and prints one markdown table.
/// "framework" and "counter" are the server modes the run starts as child processes.
/// </summary>
public static class SystemBenchmarks
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(5);

    /// <summary>--only=signin|probes|memory|startup runs one part (for investigating); the table is complete only without it.</summary>
    private static string? Only;

    private static bool Runs(string part) => Only is null || Only == part;

    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "framework":
                StartupHook.Initialize();
                await FrameworkOAuthApp.RunAsync(withPortalRules: false);
                return 0;
            case "framework-rules":
                StartupHook.Initialize();
                await FrameworkOAuthApp.RunAsync(withPortalRules: true);
                return 0;
            case "counter":
                StartupHook.Initialize();
                await CounterServer.RunAsync();
                return 0;
        }
        var quick = args.Contains("--quick");
        Only = args.Where(a => a.StartsWith("--only=", StringComparison.Ordinal)).Select(a => a[7..]).FirstOrDefault();
        var directory = Path.Combine(Path.GetTempPath(), $"portal-system-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        try
        {
            var table = await RunAllAsync(new Databases(directory), quick);
            Console.WriteLine();
            Console.WriteLine(table);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string> RunAllAsync(Databases databases, bool quick)
    {
        var loadBefore = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var total = Stopwatch.StartNew();
        await using var bitbucket = new BenchBitbucket();
        await bitbucket.StartAsync();
        Log($"Bitbucket fake at {bitbucket.BaseUrl}; preparing databases");
        await databases.PrepareAsync(bitbucket.BaseUrl, fleetSize: 1000);
        var rows = new List<string[]>();

        // 1. Sign-in throughput and latency.
        var portalPort = ServerProcess.FreePort();
        var frameworkPort = ServerProcess.FreePort();
        var rulesPort = ServerProcess.FreePort();
        var portalUrl = $"http://127.0.0.1:{portalPort}";
        var frameworkUrl = $"http://127.0.0.1:{frameworkPort}";
        var rulesUrl = $"http://127.0.0.1:{rulesPort}";
        bitbucket.RegisterClient(Databases.ClientId, Databases.ClientSecret, Portal.Core.Integrations.CallbackUrl.For(portalUrl, Databases.SignInIntegrationId));
        bitbucket.RegisterClient(Databases.ClientId, Databases.ClientSecret, frameworkUrl + FrameworkOAuthApp.CallbackPath);
        bitbucket.RegisterClient(Databases.ClientId, Databases.ClientSecret, rulesUrl + FrameworkOAuthApp.CallbackPath);
        var portalSettings = databases.SettingsFor(databases.CopyOf(databases.SignIn, "signin-portal"), portalUrl);
        // Each client has its own loopback address; the per-address limit is raised to its maximum (a client signs in
        // more often in a minute here than a person would in a year), and the limiter still runs on every request.
        portalSettings["RateLimits:SignInPerMinute"] = "10000";
        var frameworkSettings = databases.SettingsFor(databases.CopyOf(databases.SignIn, "signin-framework"), frameworkUrl);
        frameworkSettings["Bench:BitbucketBaseUrl"] = bitbucket.BaseUrl;
        var rulesSettings = databases.SettingsFor(databases.CopyOf(databases.SignIn, "signin-framework-rules"), rulesUrl);
        rulesSettings["Bench:BitbucketBaseUrl"] = bitbucket.BaseUrl;
        // A portal that has run a minute has its status board loaded, and every sign-in updates it: the first pass
        // (after one interval) loads it here before the series start. Every server runs the same Portal.Core services.
        portalSettings["Status:ProbeInterval"] = frameworkSettings["Status:ProbeInterval"] = rulesSettings["Status:ProbeInterval"] = "00:00:02";
        if (Runs("signin"))
        {
        await using (var portal = ServerProcess.StartPortal(portalPort, portalSettings))
        await using (var framework = ServerProcess.StartHarnessMode("framework", frameworkPort, frameworkSettings))
        await using (var rules = ServerProcess.StartHarnessMode("framework-rules", rulesPort, rulesSettings))
        {
            await portal.WaitHealthyAsync();
            await framework.WaitHealthyAsync();
            await rules.WaitHealthyAsync();
            await Task.Delay(TimeSpan.FromSeconds(3));
            var bench = new SignInBenchmark(bitbucket);
            var warmUp = TimeSpan.FromSeconds(quick ? 1 : 3);
            var measured = TimeSpan.FromSeconds(quick ? 3 : 10);
            foreach (var clients in new[] { 1, 32 })
            {
                Func<Task<SignInResult>>[] series =
                [
                    async () => await bench.RunAsync("portal", portal, $"/signin/start/{Databases.SignInIntegrationId}?returnUrl=/", "Portal.Auth", clients, warmUp, measured),
                    async () => await bench.RunAsync("AddOAuth", framework, "/login", ".AspNetCore.Cookies", clients, warmUp, measured),
                    async () => await bench.RunAsync("AddOAuth with the portal's rules", rules, "/login", ".AspNetCore.Cookies", clients, warmUp, measured),
                ];
                // Alternate the order, so no server always runs on the warmer (or busier) machine.
                var results = new SignInResult[series.Length];
                foreach (var i in clients == 1 ? [0, 1, 2] : new[] { 2, 1, 0 })
                {
                    results[i] = await series[i]();
                }
                var (p, f, r) = (results[0], results[1], results[2]);
                Log($"sign-in {clients} client(s): {p}\n                          {f}\n                          {r}");
                var c = $"{clients} client{(clients == 1 ? "" : "s")}";
                rows.Add([$"Sign-ins per second, {c}", F(p.PerSecond, 1), F(f.PerSecond, 1), F(p.PerSecond / f.PerSecond, 2), "ratio ≥ 1.0", Met(p.PerSecond >= f.PerSecond)]);
                rows.Add([$"Sign-ins per second, {c}, against AddOAuth with the portal's rules", F(p.PerSecond, 1), F(r.PerSecond, 1), F(p.PerSecond / r.PerSecond, 2),
                    "(information)", r.Failures == 0 ? "" : $"{r.Failures} failed"]);
                rows.Add([$"Sign-ins per second, {c}: AddOAuth with the portal's rules (first column) against AddOAuth", F(r.PerSecond, 1), F(f.PerSecond, 1), F(r.PerSecond / f.PerSecond, 2), "(information)", ""]);
                rows.Add([$"Sign-in latency p50 / p99, {c} (ms)", $"{F(p.P50Ms, 1)} / {F(p.P99Ms, 1)}", $"{F(f.P50Ms, 1)} / {F(f.P99Ms, 1)}", F(p.P50Ms / f.P50Ms, 2), "", ""]);
                rows.Add([$"Mean time in start / callback, {c} (ms)", $"{F(p.StartMs, 1)} / {F(p.CallbackMs, 1)}", $"{F(f.StartMs, 1)} / {F(f.CallbackMs, 1)}", F((p.StartMs + p.CallbackMs) / (f.StartMs + f.CallbackMs), 2), "", ""]);
                rows.Add([$"Mean time in start / callback, {c}, against AddOAuth with the portal's rules (ms)", $"{F(p.StartMs, 1)} / {F(p.CallbackMs, 1)}", $"{F(r.StartMs, 1)} / {F(r.CallbackMs, 1)}",
                    F((p.StartMs + p.CallbackMs) / (r.StartMs + r.CallbackMs), 2), "", ""]);
                rows.Add([$"Server CPU per sign-in, {c} (ms)", F(p.CpuMsPerSignIn, 2), F(f.CpuMsPerSignIn, 2), F(p.CpuMsPerSignIn / f.CpuMsPerSignIn, 2), "", ""]);
                rows.Add([$"Server CPU per sign-in, {c}, against AddOAuth with the portal's rules (ms)", F(p.CpuMsPerSignIn, 2), F(r.CpuMsPerSignIn, 2), F(p.CpuMsPerSignIn / r.CpuMsPerSignIn, 2), "", ""]);
                rows.Add([$"Allocated per sign-in, {c} (KB)", F(p.AllocatedKbPerSignIn, 0), F(f.AllocatedKbPerSignIn, 0), F(p.AllocatedKbPerSignIn / f.AllocatedKbPerSignIn, 2), "", ""]);
                rows.Add([$"Allocated per sign-in, {c}, against AddOAuth with the portal's rules (KB)", F(p.AllocatedKbPerSignIn, 0), F(r.AllocatedKbPerSignIn, 0), F(p.AllocatedKbPerSignIn / r.AllocatedKbPerSignIn, 2), "", ""]);
                rows.Add([$"Bitbucket round trips per sign-in, {c} (connections used)", $"{F(p.RoundTripsPerSignIn, 2)} ({p.ServerConnections})",
                    $"{F(f.RoundTripsPerSignIn, 2)} ({f.ServerConnections})", "", "exactly 3, reused connections",
                    Met(Math.Abs(p.RoundTripsPerSignIn - 3) < 0.005 && p.ServerConnections <= clients * 2 && p.Failures == 0)]);
            }
        }

        }

        // 2. Probe fan-out.
        // Only the probe and memory parts drive a browser, so the others run on a machine without Chromium.
        await using var browser = Runs("probes") || Runs("memory") ? await Browser.StartAsync() : null;
        if (Runs("probes"))
        {
            var fleets = (Environment.GetEnvironmentVariable("BENCH_FLEETS") ?? "10,100,1000").Split(',').Select(int.Parse).ToList();
            foreach (var dashboards in new[] { 0, 20 })
            {
                // What the server spends with no checks at all (the same database and open dashboards, Status:Enabled off),
                // so that the CPU of a pass is what the checks and the dashboards' updates cost, not the idle process.
                var idle = await MeasureProbeIntervalsAsync(browser!, databases, bitbucket, fleets.Min(), dashboards, statusEnabled: false, quick);
                rows.Add([$"Idle server CPU ms per {ProbeInterval.TotalSeconds:0} s interval (status checks off), {fleets.Min()} integrations, {dashboards} dashboards",
                    F(idle.CpuPerInterval, 0), "", "", "baseline", ""]);
                foreach (var integrations in fleets)
                {
                    var measured = await MeasureProbeIntervalsAsync(browser!, databases, bitbucket, integrations, dashboards, statusEnabled: true, quick);
                    rows.Add([$"Probes per {ProbeInterval.TotalSeconds:0} s interval / server CPU ms per pass (above idle), {integrations} integrations, {dashboards} dashboards",
                        $"{F(measured.Probes, 0)} / {AboveIdle(measured.CpuPerInterval - idle.CpuPerInterval)}", "", F(measured.Probes / integrations, 2), $"= {integrations}",
                        Met(Math.Abs(measured.Probes - integrations) < 0.5)]);
                }
            }
        }

        // 3. Memory per circuit.
        if (Runs("memory"))
        {
        var counterPort = ServerProcess.FreePort();
        (double Heap, double WorkingSet) blank;
        await using (var counter = ServerProcess.StartHarnessMode("counter", counterPort, new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "Warning" }))
        {
            await counter.WaitHealthyAsync();
            blank = await MemoryPerCircuitAsync(browser!, counter, "/counter", null, quick);
        }
        rows.Add(["Memory per circuit, blank Counter page (KB heap / KB working set)", $"{F(blank.Heap, 0)} / {F(blank.WorkingSet, 0)}", "", "", "reference", ""]);
        foreach (var (label, path) in new[] { ("wizard page", "/integrations/new"), ("dashboard, 10 integrations", "/status") })
        {
            var port = ServerProcess.FreePort();
            var url = $"http://127.0.0.1:{port}";
            var settings = databases.SettingsFor(databases.CopyOf(databases.Ten, "circuits-" + path.Replace('/', '-')), url);
            // Cards as an administrator sees them on a running portal: each with its last check (the first pass runs
            // one interval after start).
            settings["Status:ProbeInterval"] = "00:00:03";
            await using var portal = ServerProcess.StartPortal(port, settings);
            await portal.WaitHealthyAsync();
            await Task.Delay(TimeSpan.FromSeconds(5));
            var measuredMemory = await MemoryPerCircuitAsync(browser!, portal, path, await portal.SetupLinkAsync(), quick);
            rows.Add([$"Memory per circuit, {label} (KB heap / KB working set)", $"{F(measuredMemory.Heap, 0)} / {F(measuredMemory.WorkingSet, 0)}",
                $"{F(blank.Heap, 0)} / {F(blank.WorkingSet, 0)}", F(measuredMemory.Heap / blank.Heap, 2), "heap ≤ 2× blank", Met(measuredMemory.Heap <= 2 * blank.Heap)]);
        }

        }

        // 4. Start-up.
        if (Runs("startup"))
        {
        var empty = new List<TimeSpan>();
        var fleet = new List<TimeSpan>();
        for (var run = 0; run < (quick ? 1 : 3); run++)
        {
            empty.Add(await StartUpAsync(databases, databases.Empty, $"start-empty-{run}"));
            fleet.Add(await StartUpAsync(databases, databases.Fleet, $"start-fleet-{run}"));
        }
        var emptyMs = Median(empty);
        var fleetMs = Median(fleet);
        rows.Add(["Start to first healthy /healthz, median of " + empty.Count + " (ms): 1000 integrations vs empty database", F(fleetMs, 0), F(emptyMs, 0), F(fleetMs / emptyMs, 2), "≤ 1.5×", Met(fleetMs <= 1.5 * emptyMs)]);
        }

        Log($"all measurements took {total.Elapsed.TotalSeconds:0} s");
        var table = new StringBuilder();
        table.AppendLine("| Measurement | Portal | Reference | Ratio | Target | Met |");
        table.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            table.AppendLine("| " + string.Join(" | ", row) + " |");
        }
        table.AppendLine();
        table.AppendLine($"Reference: the framework's AddOAuth handler (sign-in; in the rows that say so, the same handler keeping the portal's rules: " +
            "state stored and consumed once, server-side session, sign-in event, audit entry), the blank Counter page (memory), the empty database (start-up). " +
            $"Machine: {Environment.ProcessorCount} cores, load average before the run {loadBefore} and after it {File.ReadAllText("/proc/loadavg").Split(' ')[0]}, .NET {Environment.Version}.");
        return table.ToString();
    }

    /// <summary>
    /// Probes per interval and the server's CPU per interval, on a portal with <paramref name="integrations"/> enabled
    /// integrations and <paramref name="dashboards"/> open Status pages, once tiered compilation has settled.
    /// </summary>
    private static async Task<(double Probes, double CpuPerInterval)> MeasureProbeIntervalsAsync(
        Browser browser, Databases databases, BenchBitbucket bitbucket, int integrations, int dashboards, bool statusEnabled, bool quick)
    {
        var port = ServerProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var settings = databases.SettingsFor(databases.CopyOf(databases.Fleet, $"fleet-{integrations}-{dashboards}-{(statusEnabled ? "on" : "off")}", integrations), url);
        settings["Status:ProbeInterval"] = ProbeInterval.ToString();
        settings["Status:Enabled"] = statusEnabled ? "true" : "false";
        settings["Logging:LogLevel:Portal.Core.Status"] = "Debug";
        await using var portal = ServerProcess.StartPortal(port, settings);
        await portal.WaitHealthyAsync();
        await using var context = await browser.NewContextAsync(dashboards > 0 ? await portal.SetupLinkAsync() : null);
        var opening = Stopwatch.StartNew();
        if (dashboards > 0)
        {
            await Browser.OpenPagesAsync(context, portal, url + "/status", dashboards);
            Log($"{dashboards} dashboards with {integrations} integrations open after {opening.Elapsed.TotalSeconds:0.0} s");
        }
        // Until tiered compilation has finished with the probing code, a 10-integration portal spends 400 to 1000 ms of CPU
        // per interval; measured, it settles within about 35 s of the start (fewer calls per pass take longer to count).
        await Task.Delay(ProbeInterval * (quick ? 5 : 8));
        var intervals = quick ? 2 : 4;
        if (!statusEnabled)
        {
            bitbucket.ResetCounters();
            var idleBefore = portal.CpuTime;
            await Task.Delay(ProbeInterval * intervals);
            var idle = (portal.CpuTime - idleBefore).TotalMilliseconds / intervals;
            Log($"idle: {integrations} integrations, {dashboards} dashboards, status checks off: {bitbucket.ProbeRequests} probes, CPU {idle} ms per interval");
            return (bitbucket.ProbeRequests, idle);
        }
        // Counting starts and stops in the quiet between two passes, K intervals apart, so it holds K whole passes
        // whatever their length (with dashboards open a pass takes a good part of the interval).
        bitbucket.ResetCounters();
        await WaitForProbesAsync(bitbucket, ProbeInterval * 2);
        await WaitForQuietAsync(bitbucket);
        bitbucket.ResetCounters();
        var cpuBefore = portal.CpuTime;
        await Task.Delay(ProbeInterval * intervals);
        await WaitForQuietAsync(bitbucket);
        var cpu = (portal.CpuTime - cpuBefore).TotalMilliseconds / intervals;
        var probes = bitbucket.ProbeRequests / (double)intervals;
        if (Math.Abs(probes - integrations) >= 0.5)
        {
            Console.Error.WriteLine("  the portal's last log lines:\n    " + string.Join("\n    ", portal.Output.TakeLast(40)));
        }
        Log($"probes: {integrations} integrations, {dashboards} dashboards: {probes} per interval, CPU {cpu} ms per interval");
        return (probes, cpu);
    }

    private static async Task WaitForProbesAsync(BenchBitbucket bitbucket, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (bitbucket.ProbeRequests == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
    }

    /// <summary>Returns once no probe has arrived for 300 ms: between two passes.</summary>
    private static async Task WaitForQuietAsync(BenchBitbucket bitbucket)
    {
        var seen = bitbucket.ProbeRequests;
        var quietSince = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(quietSince) < TimeSpan.FromMilliseconds(300))
        {
            await Task.Delay(20);
            if (bitbucket.ProbeRequests != seen)
            {
                seen = bitbucket.ProbeRequests;
                quietSince = Stopwatch.GetTimestamp();
            }
        }
    }

    private static async Task<(double Heap, double WorkingSet)> MemoryPerCircuitAsync(Browser browser, ServerProcess server, string path, string? setupLink, bool quick)
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("BENCH_CIRCUITS"), out var configured) ? configured : quick ? 20 : 100;
        await using var context = await browser.NewContextAsync(setupLink);
        // One page first, so what every circuit shares (compiled code, caches, the first render's statics) is in the baseline.
        await Browser.OpenPagesAsync(context, server, server.BaseUrl + path, 1);
        await Task.Delay(1000);
        var before = await server.HeapAfterFullGcAsync();
        await HeapDumpAsync(server, path, "before");
        await Browser.OpenPagesAsync(context, server, server.BaseUrl + path, count);
        await Task.Delay(2000);
        var after = await server.HeapAfterFullGcAsync();
        await HeapDumpAsync(server, path, "after");
        var result = ((after.Heap - before.Heap) / 1024.0 / count, (after.WorkingSet - before.WorkingSet) / 1024.0 / count);
        Log($"memory {server.BaseUrl}{path}: {result.Item1:0} KB heap, {result.Item2:0} KB working set per circuit ({await server.CircuitsAsync()} circuits)");
        return result;
    }

    /// <summary>
    /// With BENCH_GCDUMP_DIR set, a dotnet-gcdump of the server (which types hold the heap), for investigating what a
    /// circuit keeps; dotnet-gcdump must be on the PATH.
    /// </summary>
    private static async Task HeapDumpAsync(ServerProcess server, string path, string moment)
    {
        if (Environment.GetEnvironmentVariable("BENCH_GCDUMP_DIR") is not { Length: > 0 } directory)
        {
            return;
        }
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"{path.Trim('/').Replace('/', '-')}-{moment}.gcdump");
        using var dump = Process.Start(new ProcessStartInfo("dotnet-gcdump", ["collect", "-p", server.ProcessId.ToString(Invariant), "-o", file])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await dump.WaitForExitAsync();
        Log($"heap dump {file}: exit code {dump.ExitCode}");
    }

    private static async Task<TimeSpan> StartUpAsync(Databases databases, string database, string name)
    {
        var port = ServerProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        await using var portal = ServerProcess.StartPortal(port, databases.SettingsFor(databases.CopyOf(database, name), url));
        var elapsed = await portal.WaitHealthyAsync();
        Log($"start-up {name}: {elapsed.TotalMilliseconds:0} ms");
        return elapsed;
    }

    private static double Median(List<TimeSpan> values) => values.Select(v => v.TotalMilliseconds).Order().ElementAt(values.Count / 2);

    private static string F(double value, int decimals) => double.IsFinite(value) ? value.ToString("N" + decimals, Invariant) : "–";

    // /proc counts CPU in 10 ms ticks and the idle process varies by more than that, so a small pass can come out
    // below the idle baseline; it is shown as such rather than as a negative cost.
    private static string AboveIdle(double milliseconds) => milliseconds >= 0 ? F(milliseconds, 0) : $"≤ 0 ({F(milliseconds, 0)})";

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
