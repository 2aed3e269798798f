using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.Fakes;

/// <summary>
/// A Bitbucket Data Center / Server stand-in on a real Kestrel at 127.0.0.1, behaving as
/// shared/docs/bitbucket-protocol.md describes. Endpoints live in partial files: application endpoints in
/// BitbucketFake.ApplicationEndpoints.cs, OAuth endpoints through <see cref="MapOAuthEndpoints"/>, the OAuth 2
/// provider's metadata, https rule and the two-factor plugin in BitbucketFake.Provider.cs.
/// </summary>
public sealed partial class BitbucketFake : IAsyncDisposable
{
    private readonly Lock _lifecycle = new();
    private WebApplication? _app;
    private int _port;
    private int _applicationPropertiesRequests;
    private volatile FakeMode _mode;
    private volatile string _version;
    private volatile string? _redirectLocation;
    private long _slowDelayTicks = TimeSpan.FromSeconds(30).Ticks;

    private BitbucketFake(BitbucketFakeOptions options)
    {
        _version = options.Version;
        ContextPath = NormalizeContextPath(options.ContextPath);
        Https = options.Https;
        CertificateAuthority = options.Https && options.CertificateFromTestCa ? TestCertificateAuthority.Create() : null;
        Certificate = options.Https ? CertificateAuthority?.Server ?? FakeCertificate.CreateSelfSigned() : null;
        ConfigureProvider(options);
    }

    /// <summary>Starts a fake on a free loopback port.</summary>
    public static async Task<BitbucketFake> StartAsync(BitbucketFakeOptions? options = null)
    {
        var fake = new BitbucketFake(options ?? new BitbucketFakeOptions());
        await fake.StartOnPortAsync(0);
        return fake;
    }

    /// <summary>The base URL a portal administrator would enter: scheme, 127.0.0.1, port and context path, no trailing slash.</summary>
    public string BaseUrl => $"{(Https ? "https" : "http")}://127.0.0.1:{_port}{ContextPath}";

    /// <summary>The loopback port; kept across <see cref="StopAsync"/> and <see cref="StartAgainAsync"/>.</summary>
    public int Port => _port;

    /// <summary>"" or e.g. "/bitbucket".</summary>
    public string ContextPath { get; }

    /// <summary>Whether the fake serves https.</summary>
    public bool Https { get; }

    /// <summary>The self-signed server certificate when <see cref="Https"/>; write it with <c>ExportCertificatePem()</c> to trust it.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The private CA that issued <see cref="Certificate"/>, when started with <see cref="BitbucketFakeOptions.CertificateFromTestCa"/>.</summary>
    public TestCertificateAuthority? CertificateAuthority { get; }

    /// <summary>How the fake misbehaves right now.</summary>
    public FakeMode Mode { get => _mode; set => _mode = value; }

    /// <summary>The Bitbucket version application-properties reports, e.g. "8.9.1".</summary>
    public string Version { get => _version; set => _version = value; }

    /// <summary>Where <see cref="FakeMode.Redirect"/> sends requests; <c>null</c> means the same URL over https.</summary>
    public string? RedirectLocation { get => _redirectLocation; set => _redirectLocation = value; }

    /// <summary>How long <see cref="FakeMode.Slow"/> waits before answering (default 30 s).</summary>
    public TimeSpan SlowDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _slowDelayTicks));
        set => Interlocked.Exchange(ref _slowDelayTicks, value.Ticks);
    }

    /// <summary>How many requests reached application-properties (inside the context path, in any mode).</summary>
    public int ApplicationPropertiesRequests => Volatile.Read(ref _applicationPropertiesRequests);

    /// <summary>The path and User-Agent of every request the fake received, in order.</summary>
    public IReadOnlyCollection<(string Path, string? UserAgent)> UserAgents => _userAgents;
    private readonly ConcurrentQueue<(string Path, string? UserAgent)> _userAgents = new();

    /// <summary>Whether the fake is listening.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lifecycle)
            {
                return _app is not null;
            }
        }
    }

    /// <summary>Stops listening; connections fail with "connection refused" until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        WebApplication? app;
        lock (_lifecycle)
        {
            app = _app;
            _app = null;
        }
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Listens again on the same port, with the current settings.</summary>
    public Task StartAgainAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The fake is already running; call StopAsync first.");
        }
        return StartOnPortAsync(_port);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Certificate?.Dispose();
        CertificateAuthority?.Dispose();
    }

    private async Task StartOnPortAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // The test output folder holds the portal's appsettings.json; the fake must not pick up its URLs or logging.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            if (CertificateAuthority is { } authority)
            {
                // The server certificate and its issuing CA, as a server with a private CA sends them (the root stays home).
                listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = authority.Server, ServerCertificateChain = [authority.Issuing] });
            }
            else if (Certificate is not null)
            {
                listen.UseHttps(Certificate);
            }
        }));

        var app = builder.Build();
        app.Use((context, next) =>
        {
            _userAgents.Enqueue((context.Request.Path.Value ?? "", context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null));
            return next(context);
        });
        app.Use(EnterContextPathAsync);
        app.UseRouting();
        app.Use(ApplyModeAsync);
        // Before the token filters: the https rule and a two-factor plugin see requests before Bitbucket's REST API does.
        MapProviderEndpoints(app);
        MapApplicationEndpoints(app);
        MapOAuthEndpoints(app);
        MapOAuth1Endpoints(app);

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        lock (_lifecycle)
        {
            _port = new Uri(address).Port;
            _app = app;
        }
    }

    /// <summary>Hook for the provider's settings in BitbucketFake.Provider.cs: base URL setting, https rule, metadata.</summary>
    partial void ConfigureProvider(BitbucketFakeOptions options);

    /// <summary>Hook for the OAuth 2 metadata, the https rule and the two-factor plugin in BitbucketFake.Provider.cs.</summary>
    partial void MapProviderEndpoints(WebApplication app);

    /// <summary>Hook for the OAuth endpoints (authorize, token, revoke, users) kept in their own partial file.</summary>
    partial void MapOAuthEndpoints(WebApplication app);

    /// <summary>Hook for the OAuth 1.0a endpoints (request-token, authorize, access-token, signed requests) in BitbucketFake.OAuth1.cs.</summary>
    partial void MapOAuth1Endpoints(WebApplication app);

    /// <summary>Moves the context path into PathBase, as Bitbucket's servlet container does; anything outside it is 404.</summary>
    private Task EnterContextPathAsync(HttpContext context, RequestDelegate next)
    {
        if (ContextPath.Length == 0)
        {
            return next(context);
        }
        if (!context.Request.Path.StartsWithSegments(ContextPath, StringComparison.Ordinal, out var matched, out var remaining))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        context.Request.PathBase = context.Request.PathBase.Add(matched);
        context.Request.Path = remaining;
        return next(context);
    }

    private static string NormalizeContextPath(string contextPath)
    {
        var trimmed = contextPath.Trim().Trim('/');
        return trimmed.Length == 0 ? "" : "/" + trimmed;
    }
}
