using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Portal.Benchmarks.SystemLevel;

/// <summary>
/// A measured server as its own process: the built Portal.dll, or one of this harness's child apps. Its stats (allocated
/// bytes, heap after a full GC, open circuits) come from <see cref="StartupHook"/> on its own port; CPU time from /proc.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly HttpClient Local = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(120) };
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private readonly int statsPort;

    private ServerProcess(Process process, string baseUrl, int statsPort)
    {
        this.process = process;
        BaseUrl = baseUrl;
        this.statsPort = statsPort;
    }

    public string BaseUrl { get; }

    public int ProcessId => process.Id;

    public DateTime StartedAt { get; private set; }

    public static string HarnessDll => typeof(ServerProcess).Assembly.Location;

    /// <summary>Portal/bin/{configuration}/net10.0/Portal.dll, built by this project's build.</summary>
    public static string PortalDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
            var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));
            return Path.Combine(repository, "Portal", "bin", configuration, "net10.0", "Portal.dll");
        }
    }

    /// <summary>The real portal with the given settings (environment variables, as an operator would set them).</summary>
    public static ServerProcess StartPortal(int port, IDictionary<string, string> settings) =>
        Start(PortalDll, [], port, settings, hook: true);

    /// <summary>This harness in one of its server modes ("framework", "counter").</summary>
    public static ServerProcess StartHarnessMode(string mode, int port, IDictionary<string, string> settings) =>
        Start(HarnessDll, [mode], port, settings, hook: false);

    private static ServerProcess Start(string dll, string[] args, int port, IDictionary<string, string> settings, bool hook)
    {
        var statsPort = FreePort();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Urls"] = $"http://127.0.0.1:{port}";
        info.Environment["BENCH_STATS_PORT"] = statsPort.ToString(CultureInfo.InvariantCulture);
        if (hook)
        {
            info.Environment["DOTNET_STARTUP_HOOKS"] = HarnessDll;
        }
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var started = DateTime.UtcNow;
        var process = Process.Start(info)!;
        var server = new ServerProcess(process, $"http://127.0.0.1:{port}", statsPort) { StartedAt = started };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { server.output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { server.output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Polls /healthz until it answers 200; returns the time from process start.</summary>
    public async Task<TimeSpan> WaitHealthyAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(5) };
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited ({process.ExitCode}):\n{string.Join('\n', output.TakeLast(40))}");
            }
            try
            {
                using var response = await client.GetAsync(new Uri(BaseUrl + "/healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return DateTime.UtcNow - StartedAt;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy starting.
            }
            await Task.Delay(10);
        }
        throw new TimeoutException($"{BaseUrl}/healthz did not answer 200 in time:\n{string.Join('\n', output.TakeLast(40))}");
    }

    /// <summary>The setup link the portal logged at start (it is in Setup Mode: no administrator yet).</summary>
    public async Task<string> SetupLinkAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (output.Select(l => SetupLinkPattern().Match(l)).LastOrDefault(m => m.Success) is { } match)
            {
                return match.Value.Replace("http://localhost:5080", BaseUrl, StringComparison.Ordinal);
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("The portal logged no setup link:\n" + string.Join('\n', output.TakeLast(40)));
    }

    public IEnumerable<string> Output => output;

    public async Task<long> AllocatedBytesAsync() => long.Parse(await StatAsync("alloc"), CultureInfo.InvariantCulture);

    public async Task<long> CircuitsAsync() => long.Parse(await StatAsync("circuits"), CultureInfo.InvariantCulture);

    /// <summary>GC heap and working set in bytes, after full blocking compacting collections in the server.</summary>
    public async Task<(long Heap, long WorkingSet)> HeapAfterFullGcAsync()
    {
        var parts = (await StatAsync("heap")).Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>User plus system CPU time of the process so far (/proc/pid/stat).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
        }
    }

    private async Task<string> StatAsync(string name) => await Local.GetStringAsync(new Uri($"http://127.0.0.1:{statsPort}/{name}"));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    [GeneratedRegex(@"https?://\S+/setup\?token=[A-Za-z0-9_\-%]+")]
    private static partial Regex SetupLinkPattern();
}
