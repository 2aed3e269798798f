using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Portal.Benchmarks.SystemLevel;

/// <summary>One measured series of complete sign-ins against one server.</summary>
public sealed record SignInResult(string Server, int Clients, int SignIns, int Failures, double PerSecond, double P50Ms, double P99Ms,
    double AllocatedKbPerSignIn, double RoundTripsPerSignIn, int ServerConnections, double StartMs, double CallbackMs, double CpuMsPerSignIn);

/// <summary>
/// Browserless clients that sign in over and over, each sign-in as a fresh browser would (no cookies but the ones
/// this sign-in sets): start at the server, Bitbucket's authorize (consent given, answers at once), the callback, which
/// exchanges the code, identifies the user, upserts the account and sets the sign-in cookie.
/// </summary>
public sealed class SignInBenchmark(BenchBitbucket bitbucket)
{
    private readonly HttpClient[] browsers = Enumerable.Range(0, 64).Select(NewBrowser).ToArray();

    /// <summary>
    /// Each simulated client connects from its own loopback address (127.0.0.2, .3, …), as distinct users would, so the
    /// portal's per-address rate limit counts each client on its own.
    /// </summary>
    private static HttpClient NewBrowser(int client) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(new IPAddress([127, 0, 0, (byte)(2 + client)]), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { Timeout = TimeSpan.FromSeconds(60) };

    /// <param name="startPath">The server's sign-in start, e.g. /signin/start/{id}.</param>
    /// <param name="authCookie">The cookie a successful callback sets.</param>
    public async Task<SignInResult> RunAsync(string name, ServerProcess server, string startPath, string authCookie, int clients, TimeSpan warmUp, TimeSpan measured)
    {
        await RunClientsAsync(server, startPath, authCookie, clients, warmUp, null);
        bitbucket.ResetCounters();
        Array.Clear(stepTicks);
        var allocatedBefore = await server.AllocatedBytesAsync();
        var cpuBefore = server.CpuTime;
        var latencies = new ConcurrentBag<double>();
        var watch = Stopwatch.StartNew();
        var failures = await RunClientsAsync(server, startPath, authCookie, clients, measured, latencies);
        var elapsed = watch.Elapsed;
        var cpu = server.CpuTime - cpuBefore;
        var allocated = await server.AllocatedBytesAsync() - allocatedBefore;
        var sorted = latencies.Order().ToArray();
        var count = sorted.Length;
        var roundTrips = bitbucket.TokenRequests + bitbucket.IdentityRequests + bitbucket.UserSearches;
        return new SignInResult(name, clients, count, failures, count / elapsed.TotalSeconds,
            Percentile(sorted, 0.50), Percentile(sorted, 0.99),
            count == 0 ? 0 : allocated / 1024.0 / count, count == 0 ? 0 : (double)roundTrips / count, bitbucket.ServerConnections,
            MeanMs(stepTicks[0], count), MeanMs(stepTicks[2], count), count == 0 ? 0 : cpu.TotalMilliseconds / count);
    }

    private async Task<int> RunClientsAsync(ServerProcess server, string startPath, string authCookie, int clients, TimeSpan duration, ConcurrentBag<double>? latencies)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var failures = 0;
        var workers = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var user = client + 1;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                if (await SignInOnceAsync(browsers[client], server.BaseUrl + startPath, user, authCookie))
                {
                    latencies?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        if (latencies is not null && failures > 0)
        {
            Console.Error.WriteLine($"  {failures} sign-ins failed; last server output:\n    " + string.Join("\n    ", server.Output.TakeLast(10)));
        }
        return failures;
    }

    private static double MeanMs(long ticks, int count) => count == 0 ? 0 : ticks * 1000.0 / Stopwatch.Frequency / count;

    /// <summary>Time spent in the server's start, Bitbucket's authorize and the server's callback, summed over a series.</summary>
    private readonly long[] stepTicks = new long[3];

    private async Task<bool> SignInOnceAsync(HttpClient http, string startUrl, int user, string authCookie)
    {
        var stepStarted = Stopwatch.GetTimestamp();
        using var start = await http.GetAsync(new Uri(startUrl));
        Interlocked.Add(ref stepTicks[0], Stopwatch.GetTimestamp() - stepStarted);
        if (start.StatusCode != HttpStatusCode.Redirect || start.Headers.Location is not { } authorize)
        {
            return false;
        }
        var cookies = string.Join("; ", CookiesOf(start));
        using var authorizeRequest = new HttpRequestMessage(HttpMethod.Get, authorize);
        authorizeRequest.Headers.Add("X-Bench-User", user.ToString(System.Globalization.CultureInfo.InvariantCulture));
        stepStarted = Stopwatch.GetTimestamp();
        using var consent = await http.SendAsync(authorizeRequest);
        Interlocked.Add(ref stepTicks[1], Stopwatch.GetTimestamp() - stepStarted);
        if (consent.StatusCode != HttpStatusCode.Redirect || consent.Headers.Location is not { } callback)
        {
            return false;
        }
        using var callbackRequest = new HttpRequestMessage(HttpMethod.Get, callback);
        callbackRequest.Headers.Add("Cookie", cookies);
        stepStarted = Stopwatch.GetTimestamp();
        using var done = await http.SendAsync(callbackRequest);
        Interlocked.Add(ref stepTicks[2], Stopwatch.GetTimestamp() - stepStarted);
        return done.StatusCode == HttpStatusCode.Redirect
            && done.Headers.Location?.OriginalString == "/"
            && CookiesOf(done).Any(c => c.StartsWith(authCookie + "=", StringComparison.Ordinal) && c.Length > authCookie.Length + 1);
    }

    private static IEnumerable<string> CookiesOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';', 2)[0]) : [];

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
