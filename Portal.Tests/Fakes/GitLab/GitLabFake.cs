using Microsoft.AspNetCore.WebUtilities;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
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

namespace Portal.Tests.Fakes.GitLab;

/// <summary>
/// A GitLab Self-Managed stand-in on a real Kestrel at 127.0.0.1, behaving as docs/gitlab-protocol.md describes:
/// anonymous discovery and keys here; sign-in, authorize, consent and token in GitLabFake.OAuth.cs; the REST API
/// (<c>/api/v4/user</c>, <c>/metadata</c>, <c>/version</c>) in GitLabFake.Api.cs.
/// </summary>
public sealed partial class GitLabFake : IAsyncDisposable
{
    public const string DiscoveryPath = "/.well-known/openid-configuration";
    public const string KeysPath = "/oauth/discovery/keys";
    public const string SignInPath = "/users/sign_in";

    private readonly Lock _lifecycle = new();
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly RSA _signingKey = RSA.Create(2048);
    private WebApplication? _app;
    private int _port;
    private volatile GitLabFakeMode _mode;
    private volatile string _version;
    private volatile string? _redirectLocation;
    private volatile string? _issuer;
    private volatile bool _monitoringAllowListed;
    private long _slowDelayTicks = TimeSpan.FromSeconds(30).Ticks;

    private GitLabFake(GitLabFakeOptions options)
    {
        _version = options.Version;
        RelativeUrlRoot = NormalizeRoot(options.RelativeUrlRoot);
        Https = options.Https;
        CertificateAuthority = options.Https && options.CertificateFromTestCa ? TestCertificateAuthority.Create() : null;
        Certificate = options.Https ? CertificateAuthority?.Server ?? FakeCertificate.CreateSelfSigned() : null;
    }

    /// <summary>Starts a fake on a free loopback port.</summary>
    public static async Task<GitLabFake> StartAsync(GitLabFakeOptions? options = null)
    {
        var fake = new GitLabFake(options ?? new GitLabFakeOptions());
        await fake.StartOnPortAsync(0);
        return fake;
    }

    /// <summary>What an administrator types: scheme, 127.0.0.1, port and relative URL root, no trailing slash.</summary>
    public string BaseUrl => $"{(Https ? "https" : "http")}://127.0.0.1:{_port}{RelativeUrlRoot}";

    public int Port => _port;

    /// <summary>"" or e.g. "/gitlab".</summary>
    public string RelativeUrlRoot { get; }

    public bool Https { get; }

    public X509Certificate2? Certificate { get; }

    public TestCertificateAuthority? CertificateAuthority { get; }

    public GitLabFakeMode Mode { get => _mode; set => _mode = value; }

    /// <summary>The version <c>/api/v4/metadata</c> and <c>/api/v4/version</c> report.</summary>
    public string Version { get => _version; set => _version = value; }

    /// <summary>
    /// GitLab's <c>external_url</c>, which the discovery document names as its issuer; <c>null</c> (default) means
    /// <see cref="BaseUrl"/>. Set it to another address to be a GitLab reached under a name it does not know as its own.
    /// </summary>
    public string? Issuer { get => _issuer ?? BaseUrl; set => _issuer = value?.TrimEnd('/'); }

    /// <summary>What <see cref="GitLabFakeMode.DiscoveryMissing"/> answers at <c>/.well-known/</c> (default 404; a proxy may say 403).</summary>
    public int DiscoveryRefusalStatus { get; set; } = 404;

    /// <summary>Where <see cref="GitLabFakeMode.Redirect"/> sends requests; <c>null</c> means the same URL over https.</summary>
    public string? RedirectLocation { get => _redirectLocation; set => _redirectLocation = value; }

    /// <summary>
    /// Whether the caller is in GitLab's monitoring IP allow-list: only then do <c>/-/health</c>, <c>/-/readiness</c>
    /// and <c>/-/liveness</c> answer; otherwise they answer 404. Default false: a portal on another machine is not listed.
    /// </summary>
    public bool MonitoringAllowListed { get => _monitoringAllowListed; set => _monitoringAllowListed = value; }

    /// <summary>How long <see cref="GitLabFakeMode.Slow"/> waits before answering (default 30 s).</summary>
    public TimeSpan SlowDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _slowDelayTicks));
        set => Interlocked.Exchange(ref _slowDelayTicks, value.Ticks);
    }

    /// <summary>How many requests reached <paramref name="path"/> (inside the relative URL root, in any mode), e.g. "/oauth/token".</summary>
    public int RequestsTo(string path) => _requests.GetValueOrDefault(path);

    public int DiscoveryRequests => RequestsTo(DiscoveryPath);

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

    /// <summary>Stops listening; connections are refused until <see cref="StartAgainAsync"/>.</summary>
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
    public Task StartAgainAsync() =>
        IsRunning ? throw new InvalidOperationException("The fake is already running; call StopAsync first.") : StartOnPortAsync(_port);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Certificate?.Dispose();
        CertificateAuthority?.Dispose();
        _signingKey.Dispose();
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
                listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = authority.Server, ServerCertificateChain = [authority.Issuing] });
            }
            else if (Certificate is not null)
            {
                listen.UseHttps(Certificate);
            }
        }));

        var app = builder.Build();
        app.Use(EnterRelativeRootAsync);
        app.Use(ApplyModeAsync);
        app.UseRouting();
        app.MapGet(DiscoveryPath, Discovery);
        app.MapGet(KeysPath, Keys);
        foreach (var probe in new[] { "/-/health", "/-/readiness", "/-/liveness" })
        {
            app.MapGet(probe, (Delegate)(() => Health(probe)));
        }
        MapOAuthEndpoints(app);
        MapApiEndpoints(app);
        // As GitLab's route_not_found: an address it does not know (a private project, a path under a wrong relative URL
        // root) sends anonymous visitors to sign in; the API answers its own JSON 404.
        app.MapFallback(context =>
        {
            if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || CurrentSession(context) is not null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = PublicUrl(context, SignInPath);
            return Task.CompletedTask;
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        lock (_lifecycle)
        {
            _port = new Uri(address).Port;
            _app = app;
        }
    }

    /// <summary>GitLab under a relative URL root: the root moves into PathBase; anything outside it is nginx's 404.</summary>
    private Task EnterRelativeRootAsync(HttpContext context, RequestDelegate next)
    {
        if (RelativeUrlRoot.Length > 0)
        {
            if (!context.Request.Path.StartsWithSegments(RelativeUrlRoot, StringComparison.Ordinal, out var matched, out var remaining))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            context.Request.PathBase = context.Request.PathBase.Add(matched);
            context.Request.Path = remaining;
        }
        _requests.AddOrUpdate(context.Request.Path.Value ?? "/", 1, (_, n) => n + 1);
        return next(context);
    }

    private async Task ApplyModeAsync(HttpContext context, RequestDelegate next)
    {
        var response = context.Response;
        switch (Mode)
        {
            case GitLabFakeMode.NotFound:
                await WriteHtmlAsync(response, 404, "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>");
                return;
            case GitLabFakeMode.ServerError:
                await WriteHtmlAsync(response, 500, "<!DOCTYPE html><html><head><title>Something went wrong (500)</title></head><body><h3>We're sorry, something went wrong on our end.</h3></body></html>");
                return;
            case GitLabFakeMode.BadGateway:
                await WriteHtmlAsync(response, 502, "<!DOCTYPE html><html><head><title>GitLab is not responding (502)</title></head><body><h3>Whoops, GitLab is taking too much time to respond.</h3></body></html>");
                return;
            case GitLabFakeMode.RateLimited:
                response.StatusCode = 429;
                response.Headers.RetryAfter = "60";
                response.ContentType = "text/plain";
                await response.WriteAsync("Retry later\n");
                return;
            case GitLabFakeMode.Slow:
                await Task.Delay(SlowDelay, context.RequestAborted);
                break;
            case GitLabFakeMode.SignInRedirect when !context.Request.Path.Equals(SignInPath, StringComparison.Ordinal):
                response.StatusCode = StatusCodes.Status302Found;
                response.Headers.Location = PublicUrl(context, SignInPath);
                return;
            case GitLabFakeMode.SignInPage:
                await WriteHtmlAsync(response, 200, SignInPageHtml(context, error: null));
                return;
            case GitLabFakeMode.DiscoveryMissing when context.Request.Path.StartsWithSegments("/.well-known", StringComparison.Ordinal):
                var status = DiscoveryRefusalStatus;
                await WriteHtmlAsync(response, status, $"<!DOCTYPE html><html><head><title>{status}</title></head><body><h1>{ReasonPhrases.GetReasonPhrase(status)}</h1></body></html>");
                return;
            case GitLabFakeMode.HtmlPage:
                await WriteHtmlAsync(response, 200, "<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1></body></html>");
                return;
            case GitLabFakeMode.Redirect:
                response.StatusCode = StatusCodes.Status301MovedPermanently;
                response.Headers.Location = RedirectLocation
                    ?? $"https://{context.Request.Host}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
                return;
        }
        await next(context);
    }

    // ---- Anonymous endpoints ------------------------------------------------------------------------------------

    /// <summary>Doorkeeper::OpenidConnect's provider document: issuer from configuration, endpoints from the request's host.</summary>
    private IResult Discovery(HttpContext context)
    {
        if (Mode == GitLabFakeMode.GarbageJson)
        {
            return Results.Text("{\"issuer\": \"", "application/json");
        }
        string Url(string path) => PublicUrl(context, path);
        return Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer!,
            ["authorization_endpoint"] = Url(AuthorizePath),
            ["token_endpoint"] = Url(TokenPath),
            ["revocation_endpoint"] = Url("/oauth/revoke"),
            ["introspection_endpoint"] = Url("/oauth/introspect"),
            ["userinfo_endpoint"] = Url("/oauth/userinfo"),
            ["jwks_uri"] = Url(KeysPath),
            ["scopes_supported"] = KnownScopes,
            ["response_types_supported"] = new[] { "code" },
            ["response_modes_supported"] = new[] { "query", "fragment", "form_post" },
            ["grant_types_supported"] = new[] { "authorization_code", "password", "client_credentials", "device_code", "refresh_token" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "client_secret_post" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["claim_types_supported"] = new[] { "normal" },
            ["claims_supported"] = new[] { "iss", "sub", "aud", "exp", "iat", "sub_legacy", "name", "nickname", "preferred_username", "email", "email_verified", "website", "profile", "picture", "groups", "groups_direct", "https://gitlab.org/claims/groups/owner", "https://gitlab.org/claims/groups/maintainer", "https://gitlab.org/claims/groups/developer" },
            ["code_challenge_methods_supported"] = new[] { "plain", "S256" },
        });
    }

    private IResult Keys(HttpContext context)
    {
        var parameters = _signingKey.ExportParameters(includePrivateParameters: false);
        var kid = Base64Url(SHA256.HashData(parameters.Modulus!));
        context.Response.Headers.CacheControl = "max-age=86400, public, must-revalidate, no-transform";
        return Results.Json(new { keys = new[] { new { kty = "RSA", kid, e = Base64Url(parameters.Exponent!), n = Base64Url(parameters.Modulus!), use = "sig", alg = "RS256" } } });
    }

    private IResult Health(string probe)
    {
        if (!MonitoringAllowListed)
        {
            return Results.Text("<!DOCTYPE html><html><head><title>The page you're looking for could not be found (404)</title></head><body></body></html>", "text/html", statusCode: 404);
        }
        return probe == "/-/health"
            ? Results.Text("GitLab OK", "text/plain")
            : Results.Json(new { status = "ok", master_check = new[] { new { status = "ok" } } });
    }

    // ---- Helpers ------------------------------------------------------------------------------------------------

    /// <summary>An absolute URL on the host the request came to, under the relative URL root, as Rails' URL helpers build it.</summary>
    private static string PublicUrl(HttpContext context, string path) => $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{path}";

    private static async Task WriteHtmlAsync(HttpResponse response, int status, string html)
    {
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        await response.WriteAsync(html);
    }

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string NormalizeRoot(string root)
    {
        var trimmed = root.Trim().Trim('/');
        return trimmed.Length == 0 ? "" : "/" + trimmed;
    }
}
