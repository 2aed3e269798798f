using Portal.Core.Configuration;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Portal.Core.RateLimiting;

namespace Portal.Web;

/// <summary>The operator's limits under <c>RateLimits</c>: requests one client address may make per minute.</summary>
internal sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    [Range(1, 10_000, ErrorMessage = "RateLimits:SetupPerMinute must be between 1 and 10000.")]
    public int SetupPerMinute { get; set; } = 10;

    [Range(1, 10_000, ErrorMessage = "RateLimits:SignInPerMinute must be between 1 and 10000.")]
    public int SignInPerMinute { get; set; } = 30;
}

/// <summary>Per-client-address limits on the endpoints that anyone can call and that do work for them.</summary>
internal static class RateLimits
{
    public const string Setup = "setup";
    public const string SignInStart = "sign-in-start";
    public const string SignInCallback = "sign-in-callback";

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const string OutageWarnings = "Portal.RateLimits.OutageWarnings";

    public static IServiceCollection AddRateLimits(this IServiceCollection services)
    {
        services.AddSettings<RateLimitOptions>(RateLimitOptions.Section);
        services.AddKeyedSingleton(OutageWarnings, (_, _) => new LogThrottle(Window));
        services.AddRateLimiter(o =>
        {
            // The 429 has no body here: the status code pages render the readable page for it.
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = OnRejectedAsync;
            o.AddPolicy(Setup, http => PerClient(http, Setup, limits => limits.SetupPerMinute));
            // Starts and callbacks are counted apart, so one sign-in (a start and a callback) costs one of each.
            o.AddPolicy(SignInStart, http => PerClient(http, SignInStart, limits => limits.SignInPerMinute));
            o.AddPolicy(SignInCallback, http => PerClient(http, SignInCallback, limits => limits.SignInPerMinute));
        });
        return services;
    }

    /// <summary>
    /// Whom a limit counts: the client's address (after trusted proxies' forwarded headers); IPv6 clients by their /64
    /// network, because one machine usually holds a whole /64 and could otherwise take a fresh address per request.
    /// </summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>
    /// One fixed window per client: in memory on SQLite (one portal process), in the database on PostgreSQL, where
    /// several instances would otherwise each allow the whole limit.
    /// </summary>
    private static RateLimitPartition<string> PerClient(HttpContext http, string policy, Func<RateLimitOptions, int> permits)
    {
        var services = http.RequestServices;
        var limit = permits(services.GetRequiredService<IOptions<RateLimitOptions>>().Value);
        var client = ClientKey(http.Connection.RemoteIpAddress);
        var shared = services.GetRequiredService<SharedRateLimitCounter>();
        if (shared.IsNeeded)
        {
            return RateLimitPartition.Get(client, key => new DatabaseWindowLimiter(shared, policy, key, limit, Window,
                services.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.RateLimits"), services.GetRequiredKeyedService<LogThrottle>(OutageWarnings)));
        }
        return RateLimitPartition.GetFixedWindowLimiter(client,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = Window, QueueLimit = 0 });
    }

    private static ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Window;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.RateLimits").LogInformation(
            "Too many requests to {Path} from {Client}: answered 429", http.Request.Path.Value, ClientKey(http.Connection.RemoteIpAddress));
        return ValueTask.CompletedTask;
    }
}
