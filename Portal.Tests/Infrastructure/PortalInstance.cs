using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// One portal instance as an operator runs it: the real <c>dotnet Portal.dll</c> in its own process on a loopback port,
/// configured by environment variables, its output kept for the test. Several of them share one PostgreSQL database
/// in the scale-out tests; <see cref="Kill"/> ends one the way a crash or a power cut would.
/// </summary>
public sealed class PortalInstance : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private PortalInstance(Process process, int port)
    {
        this.process = process;
        Port = port;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public int Port { get; }

    /// <summary>The instance's own address (not the public URL users open, which a load balancer serves).</summary>
    public string BaseUrl { get; }

    /// <summary>Everything the instance wrote to its console so far.</summary>
    public string Output => string.Join('\n', output);

    public bool HasExited => process.HasExited;

    /// <summary>Starts an instance with <paramref name="environment"/> and waits until <c>/healthz</c> answers Healthy.</summary>
    public static async Task<PortalInstance> StartAsync(IReadOnlyDictionary<string, string> environment, int? port = null)
    {
        var listen = port ?? PortalHost.FreeLoopbackPort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Portal.dll")])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Urls"] = $"http://127.0.0.1:{listen}";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{listen}";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var instance = new PortalInstance(Process.Start(start)!, listen);
        instance.process.OutputDataReceived += (_, e) => instance.Keep(e.Data);
        instance.process.ErrorDataReceived += (_, e) => instance.Keep(e.Data);
        instance.process.BeginOutputReadLine();
        instance.process.BeginErrorReadLine();
        await instance.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        return instance;
    }

    /// <summary>Waits until a line of output satisfies <paramref name="match"/>; fails with the output after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (output.FirstOrDefault(match) is { } line)
            {
                return line;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{BaseUrl} did not log {what} within {timeout}. Output:\n{Output}");
    }

    /// <summary>Ends the process at once, without a graceful shutdown: nothing it holds is released.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.CompletedTask;
        process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The portal at {BaseUrl} exited ({process.ExitCode}) while starting. Output:\n{Output}");
            }
            try
            {
                var response = await http.GetAsync(new Uri($"{BaseUrl}/healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
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
            await Task.Delay(100);
        }
        Kill();
        throw new TimeoutException($"The portal at {BaseUrl} was not healthy within {timeout}. Output:\n{Output}");
    }
}
