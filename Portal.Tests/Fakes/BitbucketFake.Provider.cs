using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Tests.Fakes;

/// <summary>
/// Bitbucket's OAuth 2 provider as a whole (shared/docs/bitbucket-protocol.md §1.2, §1.3, §3, §5, §6.7, §8): its
/// configured base URL setting, the RFC 8414 metadata built from it, the https rule of the authorize and consent
/// servlets, and the "U2F &amp; TOTP" two-factor plugin that holds back token-authenticated REST requests.
/// </summary>
public sealed partial class BitbucketFake
{
    public const string OAuth2MetadataPath = "/rest/oauth2/latest/.well-known/oauth-authorization-server";

    /// <summary>Where the two-factor plugin sends token-authenticated requests. The real plugin's path is not known; any page will do.</summary>
    public const string TwoFactorPagePath = "/plugins/servlet/twofa/verify";

    private static readonly string[] OAuth2BrowserPaths = ["/rest/oauth2/latest/authorize", "/plugins/servlet/oauth2/consent"];

    private Func<string, string>? _baseUrlSettingFromOptions;
    private volatile string? _baseUrlSetting;
    private volatile bool _skipHttpsRequirement;
    private volatile ProviderMetadataMode _providerMetadata;
    private int _httpsRefusals;
    private int _twoFactorRedirects;

    /// <summary>
    /// Bitbucket's base URL setting; by default the address the fake is reached at (<see cref="BaseUrl"/>). Setting it
    /// (e.g. to another host) makes the metadata disagree with the portal's base URL, as a misconfigured Bitbucket does.
    /// </summary>
    public string BaseUrlSetting
    {
        get => _baseUrlSetting ?? _baseUrlSettingFromOptions?.Invoke(BaseUrl) ?? BaseUrl;
        set => _baseUrlSetting = value;
    }

    /// <inheritdoc cref="BitbucketFakeOptions.SkipHttpsRequirement"/>
    public bool SkipHttpsRequirement { get => _skipHttpsRequirement; set => _skipHttpsRequirement = value; }

    /// <inheritdoc cref="BitbucketFakeOptions.ProviderMetadata"/>
    public ProviderMetadataMode ProviderMetadata { get => _providerMetadata; set => _providerMetadata = value; }

    /// <summary>How many authorize or consent requests got "no https".</summary>
    public int HttpsRefusals => Volatile.Read(ref _httpsRefusals);

    /// <summary>How many token-authenticated requests <see cref="FakeMode.TwoFactorPlugin"/> redirected.</summary>
    public int TwoFactorRedirects => Volatile.Read(ref _twoFactorRedirects);

    private bool OAuth2ProviderPresent => OAuth2ProviderInstalled ?? ParsedVersion() >= new BitbucketVersion(7, 20, 0, null);

    partial void ConfigureProvider(BitbucketFakeOptions options)
    {
        _baseUrlSettingFromOptions = options.BaseUrlSetting;
        _skipHttpsRequirement = options.SkipHttpsRequirement;
        _providerMetadata = options.ProviderMetadata;
    }

    partial void MapProviderEndpoints(WebApplication app)
    {
        app.Use(TwoFactorPluginAsync);
        app.Use(RequireHttpsForOAuth2Async);
        app.MapGet(OAuth2MetadataPath, Metadata);
        app.MapGet(TwoFactorPagePath, () => Results.Content(TwoFactorPageHtml, "text/html; charset=utf-8", Encoding.UTF8));
    }

    // ---- Metadata (WellKnownResource, OAuth2ProviderPluginConfiguration) ------------------------------------------

    private IResult Metadata(HttpContext context)
    {
        if (!OAuth2ProviderPresent)
        {
            return Results.NotFound();
        }
        var request = context.Request;
        switch (ProviderMetadata)
        {
            case ProviderMetadataMode.Absent:
                return Results.NotFound();
            case ProviderMetadataMode.Forbidden:
                return Results.Content("<html><body><h1>403 Forbidden</h1></body></html>", "text/html", Encoding.UTF8, StatusCodes.Status403Forbidden);
            case ProviderMetadataMode.Redirect:
                return Results.Redirect($"{request.Scheme}://{request.Host}{request.PathBase}/login?next={Uri.EscapeDataString(request.PathBase + request.Path)}");
            case ProviderMetadataMode.HtmlPage:
                return Results.Content(OtherPageHtml, "text/html; charset=utf-8", Encoding.UTF8);
        }
        // Built from the configured base URL (UrlMode.CANONICAL), never from the address this request came to.
        var issuer = BaseUrlSetting.TrimEnd('/');
        return Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer,
            ["authorization_endpoint"] = $"{issuer}/rest/oauth2/latest/authorize",
            ["token_endpoint"] = $"{issuer}/rest/oauth2/latest/token",
            ["revocation_endpoint"] = $"{issuer}/rest/oauth2/latest/revoke",
            ["scopes_supported"] = ScopeIncludes.Keys.ToArray(),
            ["response_types_supported"] = new[] { "code" },
            ["response_modes_supported"] = new[] { "query" },
            ["grant_types_supported"] = new[] { "authorization_code" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post" },
            ["revocation_endpoint_auth_methods_supported"] = new[] { "client_secret_post" },
        });
    }

    // ---- https rule (AuthorizationServlet, AuthorizationConsentServlet) -------------------------------------------

    /// <summary>
    /// The authorize and consent steps answer 400 "no https" unless Bitbucket's base URL setting is https and the
    /// request is secure (TLS, <c>X-Forwarded-Proto: https</c> or <c>Forwarded: proto=https</c>).
    /// </summary>
    private Task RequireHttpsForOAuth2Async(HttpContext context, RequestDelegate next)
    {
        if (SkipHttpsRequirement || !OAuth2BrowserPaths.Contains(context.Request.Path.Value, StringComparer.Ordinal)
            || (BaseUrlSetting.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && IsSecure(context.Request)))
        {
            return next(context);
        }
        Interlocked.Increment(ref _httpsRefusals);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync("""
            <!DOCTYPE html>
            <html><head><title>OAuth 2.0 authorization error - Bitbucket</title></head>
            <body><h1>Something went wrong</h1>
            <p id="error-name">no https</p>
            <p id="error-description">OAuth 2.0 authorization requires HTTPS: Bitbucket's base URL must use https, and the request must be made over https.</p></body></html>
            """);
    }

    private static bool IsSecure(HttpRequest request) =>
        request.IsHttps
        || request.Headers["X-Forwarded-Proto"].ToString().Split(',').FirstOrDefault()?.Trim().Equals("https", StringComparison.OrdinalIgnoreCase) == true
        || request.Headers["Forwarded"].ToString().Replace(" ", "", StringComparison.Ordinal).Contains("proto=https", StringComparison.OrdinalIgnoreCase);

    // ---- "U2F & TOTP" two-factor plugin without its OAuth whitelist -----------------------------------------------

    private const string TwoFactorPageHtml = """
        <!DOCTYPE html>
        <html><head><title>Two-factor authentication - Bitbucket</title></head>
        <body><form method="post"><label>Verification code <input name="code"></label><button>Verify</button></form></body></html>
        """;

    /// <summary>
    /// Only REST requests that carry a token (Bearer, or an OAuth 1 signature) are sent to the plugin's page; anonymous
    /// requests pass, so the wizard's and the status page's anonymous checks succeed.
    /// </summary>
    private Task TwoFactorPluginAsync(HttpContext context, RequestDelegate next)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (Mode != FakeMode.TwoFactorPlugin
            || !context.Request.Path.StartsWithSegments("/rest", StringComparison.Ordinal)
            || !(authorization.StartsWith("Bearer ", StringComparison.Ordinal) || authorization.StartsWith("OAuth ", StringComparison.Ordinal)))
        {
            return next(context);
        }
        Interlocked.Increment(ref _twoFactorRedirects);
        var request = context.Request;
        context.Response.Redirect($"{request.PathBase}{TwoFactorPagePath}?os_destination={Uri.EscapeDataString(request.PathBase + request.Path + request.QueryString)}");
        return Task.CompletedTask;
    }
}
