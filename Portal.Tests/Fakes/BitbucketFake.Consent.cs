using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Portal.Tests.Fakes;

/// <summary>What Deny on the OAuth 2 consent page does; Bitbucket's own behaviour is unconfirmed, so clients must cope with both.</summary>
public enum ConsentDenial
{
    /// <summary>The browser goes back to the client with <c>error=access_denied</c> (and the state).</summary>
    RedirectWithAccessDenied,

    /// <summary>The browser stays on Bitbucket: a page says access was denied, and the client never hears back.</summary>
    StayOnBitbucket,
}

/// <summary>
/// The authorize endpoint of Bitbucket's OAuth 2 provider with its consent and error pages, in the order Bitbucket's
/// <c>AuthorizationRestService</c> checks things (shared/docs/bitbucket-protocol.md §1.4, §1.5, §8):
/// <list type="number">
/// <item>A scope the link does not grant goes back to the client as <c>invalid_scope</c> at once, before anything else.</item>
/// <item>Without consent, the answer is a 303 to the consent page under the <see cref="ConfiguredBaseUrl"/>; it shows
/// the signed-in user (<see cref="ConsentingUser"/> or a <see cref="SessionCookieFor"/> cookie) with Allow and Deny.</item>
/// <item>Allow submits the consent form back to authorize (a GET: Bitbucket's resource has no POST). It counts as
/// consent only when the <c>Referer</c> starts with <c>{ConfiguredBaseUrl}/plugins/servlet/oauth2/consent</c>;
/// otherwise the browser is sent to the consent page again.</item>
/// <item>Only then are the one-time <c>atl_token</c>, the client_id, the exact redirect_uri and PKCE checked; a failure
/// is a 303 to Bitbucket's error page (<c>errorName=invalid_request</c>), never a redirect to the client. A response
/// type other than <c>code</c> goes back to the client as <c>unsupported_response_type</c>.</item>
/// </list>
/// Every answer of authorize is a 303 with <c>Cache-Control: no-store</c>, as Bitbucket's <c>Response.seeOther</c>.
/// </summary>
public sealed partial class BitbucketFake
{
    public const string ConsentPagePath = "/plugins/servlet/oauth2/consent";
    public const string ErrorPagePath = "/plugins/servlet/oauth2/error";
    public const string AuthorizePath = "/rest/oauth2/latest/authorize";

    /// <summary>Where the fake's Deny button posts; how Bitbucket's template denies is not documented.</summary>
    private const string DenyPath = "/plugins/servlet/oauth2/consent/deny";

    /// <summary>Bitbucket's XSRF parameter on the consent form (<c>DefaultOAuth2XsrfTokenGenerator</c>).</summary>
    private const string XsrfParameter = "atl_token";

    private static readonly Dictionary<string, string> ScopeDescriptions = new(StringComparer.Ordinal)
    {
        ["PUBLIC_REPOS"] = "View public projects and repositories",
        ["ACCOUNT_WRITE"] = "View and change your account details",
        ["REPO_READ"] = "View projects and repositories, including their code, pull requests and comments",
        ["REPO_WRITE"] = "View and change projects and repositories, including pushing code and merging pull requests",
        ["REPO_ADMIN"] = "Administer repositories",
        ["PROJECT_ADMIN"] = "Administer projects",
        ["ADMIN_WRITE"] = "Administer Bitbucket",
        ["SYSTEM_ADMIN"] = "Administer the Bitbucket system",
    };

    private readonly HashSet<string> _xsrfTokens = new(StringComparer.Ordinal);
    private volatile string? _configuredBaseUrl;
    private volatile ConsentDenial _denial;
    private int _consentPagesShown;
    private int _errorPagesShown;

    /// <summary>
    /// Bitbucket's Base URL setting (Administration → Server settings), what Bitbucket calls its canonical base URL:
    /// the consent and error pages are sent there, and Allow counts only from a consent page under it. <c>null</c>
    /// (the default) means <see cref="BaseUrl"/>; set it to where the fake is <em>not</em> reached to break consent as a
    /// wrong Base URL setting does.
    /// </summary>
    public string? ConfiguredBaseUrl
    {
        get => _configuredBaseUrl ?? BaseUrl;
        set => _configuredBaseUrl = value?.TrimEnd('/');
    }

    /// <summary>What Deny on the consent page does (default: back to the client with <c>access_denied</c>).</summary>
    public ConsentDenial Denial { get => _denial; set => _denial = value; }

    /// <summary>How many times the consent page was shown to a signed-in user.</summary>
    public int ConsentPagesShown => Volatile.Read(ref _consentPagesShown);

    /// <summary>How many times Bitbucket's OAuth error page was shown.</summary>
    public int ErrorPagesShown => Volatile.Read(ref _errorPagesShown);

    private void MapConsentEndpoints(WebApplication app)
    {
        app.MapGet(AuthorizePath, Authorize);
        app.MapGet(ConsentPagePath, ConsentPage);
        app.MapPost(DenyPath, (Delegate)DenyAsync);
        app.MapGet(ErrorPagePath, ErrorPage);
    }

    // ---- Authorize (AuthorizationResource → AuthorizationRestService.getRedirectUri) -------------------------------

    private IResult Authorize(HttpContext context)
    {
        Interlocked.Increment(ref _authorizeRequests);
        var request = AuthorizationRequest.From(context.Request.Query);
        var client = FindClient(request.ClientId);

        // validateScope runs first, against the link of whatever client_id was sent, and redirects to whatever
        // redirect_uri was sent: the registration is not consulted yet.
        if (client is not null && !ScopeAllowed(request.Scope, client.Scopes))
        {
            return RedirectWithError(request.RedirectUri, "invalid_scope",
                string.IsNullOrWhiteSpace(request.Scope) ? "The scope must not be blank." : $"The scope {request.Scope} is not valid for this application.", request.State);
        }
        if (!HasConsent(context))
        {
            if (string.IsNullOrEmpty(request.ClientId) || string.IsNullOrEmpty(request.RedirectUri)
                || string.IsNullOrEmpty(request.ResponseType) || string.IsNullOrEmpty(request.Scope))
            {
                return RedirectToErrorPage("invalid_request", "The request is missing client_id, redirect_uri, response_type or scope.");
            }
            return SeeOther(QueryHelpers.AddQueryString(ConfiguredBaseUrl + ConsentPagePath, request.ConsentPageParameters()));
        }

        // After Allow: validateAndStartAuthorizationFlow.
        if (!ConsumeXsrfToken(context.Request.Query[XsrfParameter].ToString()))
        {
            return RedirectToErrorPage("invalid_request", "The XSRF check failed: open the consent page again and choose Allow.");
        }
        if (client is null)
        {
            return RedirectToErrorPage("invalid_request", $"Invalid client_id: there is no application link with the client ID {request.ClientId}.");
        }
        if (!client.RedirectUris.Contains(request.RedirectUri!, StringComparer.Ordinal))
        {
            return RedirectToErrorPage("invalid_request",
                $"Invalid redirect_uri: {request.RedirectUri} does not match the redirect URL of the application link {client.Name}.");
        }
        string? method = null;
        if (!string.IsNullOrEmpty(request.CodeChallenge) || !string.IsNullOrEmpty(request.CodeChallengeMethod))
        {
            method = (string.IsNullOrEmpty(request.CodeChallengeMethod) ? "plain" : request.CodeChallengeMethod).ToUpperInvariant();
            if (string.IsNullOrEmpty(request.CodeChallenge) || method is not ("PLAIN" or "S256") || !PkcePattern().IsMatch(request.CodeChallenge))
            {
                return RedirectToErrorPage("invalid_request", "The code challenge or code challenge method is invalid.");
            }
        }
        if (!string.Equals(request.ResponseType, "code", StringComparison.Ordinal))
        {
            return RedirectWithError(request.RedirectUri!, "unsupported_response_type", $"The response type {request.ResponseType} is not supported.", request.State);
        }

        var user = SessionUser(context) ?? ConsentingUser;
        if (user is null)
        {
            return LoginRedirect(context);
        }
        var code = BitbucketOAuthClient.RandomHex(16);
        lock (_oauth)
        {
            _codes[code] = new CodeGrant(client.ClientId, request.RedirectUri!, request.Scope, user.Id, request.CodeChallenge, method, Clock.GetUtcNow());
            _issuedCodes.Add(code);
        }
        return RedirectWithParameters(request.RedirectUri!, new() { ["code"] = code, ["state"] = request.State });
    }

    /// <summary><c>hasConsent</c>: the browser comes from the consent page under Bitbucket's configured base URL.</summary>
    private bool HasConsent(HttpContext context)
    {
        var referer = context.Request.Headers.Referer.ToString();
        return referer.Length > 0 && referer.StartsWith(ConfiguredBaseUrl + ConsentPagePath, StringComparison.Ordinal);
    }

    private bool ConsumeXsrfToken(string token)
    {
        lock (_oauth)
        {
            return token.Length > 0 && _xsrfTokens.Remove(token);
        }
    }

    private BitbucketOAuthClient? FindClient(string? clientId)
    {
        if (string.IsNullOrEmpty(clientId))
        {
            return null;
        }
        lock (_oauth)
        {
            return _clients.GetValueOrDefault(clientId);
        }
    }

    // ---- Consent page (AuthorizationConsentServlet) ----------------------------------------------------------------

    private IResult ConsentPage(HttpContext context)
    {
        var user = SessionUser(context) ?? ConsentingUser;
        if (user is null)
        {
            return LoginRedirect(context);
        }
        var request = AuthorizationRequest.From(context.Request.Query);
        if (!Uri.TryCreate(request.RedirectUri, UriKind.Absolute, out var redirect) || (redirect.Scheme != Uri.UriSchemeHttp && redirect.Scheme != Uri.UriSchemeHttps))
        {
            return Results.Text("Invalid 'redirect_uri' URL parameter.", "text/plain", Encoding.UTF8, StatusCodes.Status412PreconditionFailed);
        }
        var client = FindClient(request.ClientId);
        if (client is null)
        {
            return Results.Text("The client does not exist.", "text/plain", Encoding.UTF8, StatusCodes.Status400BadRequest);
        }
        var xsrf = BitbucketOAuthClient.RandomHex(20);
        lock (_oauth)
        {
            _xsrfTokens.Add(xsrf);
        }
        Interlocked.Increment(ref _consentPagesShown);

        var pathBase = context.Request.PathBase.ToString();
        var allowFields = request.ConsentPageParameters().Append(new(XsrfParameter, xsrf));
        var denyFields = new Dictionary<string, string?>
        {
            ["client_id"] = request.ClientId,
            ["redirect_uri"] = request.RedirectUri,
            ["state"] = request.State,
            [XsrfParameter] = xsrf,
        };
        var scopes = string.Concat(request.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(scope =>
            $"<li><strong>{Html(scope)}</strong>: {Html(ScopeDescriptions.GetValueOrDefault(scope, scope))}</li>"));
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Allow access - Bitbucket</title></head>
            <body><main>
            <h1>{Html(client.Name)} would like to access your Bitbucket account</h1>
            <p id="consent-user">You are logged in to Bitbucket as <strong>{Html(user.DisplayName)}</strong> ({Html(user.Name)}).</p>
            <h2>{Html(client.Name)} will be able to</h2>
            <ul id="consent-scopes">{scopes}</ul>
            <form id="consent-allow" method="get" action="{Html(pathBase + AuthorizePath)}">{HiddenFields(allowFields)}<button type="submit">Allow</button></form>
            <form id="consent-deny" method="post" action="{Html(pathBase + DenyPath)}">{HiddenFields(denyFields)}<button type="submit">Deny</button></form>
            </main></body></html>
            """, "text/html; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>Deny: back to the client with <c>access_denied</c> (only to a registered redirect URL), or a page that stays on Bitbucket.</summary>
    private async Task<IResult> DenyAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : FormCollection.Empty;
        if (!ConsumeXsrfToken(form[XsrfParameter].ToString()))
        {
            return RedirectToErrorPage("invalid_request", "The XSRF check failed: open the consent page again.");
        }
        var client = FindClient(form["client_id"].ToString());
        var redirectUri = form["redirect_uri"].ToString();
        if (client is null || !client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            return RedirectToErrorPage("invalid_request", "Invalid client_id or redirect_uri.");
        }
        if (Denial == ConsentDenial.RedirectWithAccessDenied)
        {
            var state = form["state"].ToString();
            return RedirectWithParameters(redirectUri, new() { ["error"] = "access_denied", ["state"] = state.Length == 0 ? null : state });
        }
        return Results.Content($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Access denied - Bitbucket</title></head>
            <body><main><h1>Access denied</h1>
            <p id="consent-denied">You denied {Html(client.Name)} access to your Bitbucket account. You can close this page.</p>
            </main></body></html>
            """, "text/html; charset=utf-8", Encoding.UTF8);
    }

    // ---- Error page (AuthorizationErrorServlet) --------------------------------------------------------------------

    /// <summary>Bitbucket's OAuth error page: an HTML page on Bitbucket naming the error; the browser stays there.</summary>
    private IResult ErrorPage(HttpContext context)
    {
        Interlocked.Increment(ref _errorPagesShown);
        var query = context.Request.Query;
        return Results.Content($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>OAuth 2.0 authorization error - Bitbucket</title></head>
            <body><main><h1>Something went wrong</h1>
            <p id="error-name">{Html(query["errorName"].ToString())}</p>
            <p id="error-description">{Html(query["errorDescription"].ToString())}</p>
            </main></body></html>
            """, "text/html; charset=utf-8", Encoding.UTF8);
    }

    // ---- Answers ---------------------------------------------------------------------------------------------------

    private SeeOtherResult RedirectToErrorPage(string errorName, string description) =>
        SeeOther(QueryHelpers.AddQueryString(ConfiguredBaseUrl + ErrorPagePath, new Dictionary<string, string?>
        {
            ["errorName"] = errorName,
            ["errorDescription"] = description,
        }));

    private SeeOtherResult RedirectWithError(string? redirectUri, string error, string description, string? state) =>
        Uri.TryCreate(redirectUri, UriKind.Absolute, out _)
            ? RedirectWithParameters(redirectUri, new() { ["error"] = error, ["error_description"] = description, ["state"] = state })
            : RedirectToErrorPage("invalid_request", "The redirect URI is not a valid URL.");

    private static SeeOtherResult RedirectWithParameters(string redirectUri, Dictionary<string, string?> parameters) =>
        SeeOther(QueryHelpers.AddQueryString(redirectUri, parameters.Where(p => !string.IsNullOrEmpty(p.Value))!));

    private static IResult LoginRedirect(HttpContext context) =>
        Results.Redirect($"{context.Request.PathBase}/login?next={Uri.EscapeDataString(context.Request.Path + context.Request.QueryString)}");

    private static SeeOtherResult SeeOther(string location) => new(location);

    private static string Html(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string HiddenFields(IEnumerable<KeyValuePair<string, string?>> fields) =>
        string.Concat(fields.Where(f => !string.IsNullOrEmpty(f.Value)).Select(f => $"""<input type="hidden" name="{Html(f.Key)}" value="{Html(f.Value)}">"""));

    /// <summary>Bitbucket answers authorize with <c>Response.seeOther(...)</c> plus no-store, whatever the outcome.</summary>
    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            httpContext.Response.Headers.CacheControl = "no-store";
            httpContext.Response.Headers.Pragma = "no-cache";
            return Task.CompletedTask;
        }
    }

    /// <summary>The query parameters <c>AuthorizationResource.authorize</c> reads; a missing scope is an empty one.</summary>
    private sealed record AuthorizationRequest(string? ClientId, string? RedirectUri, string? ResponseType, string Scope, string? State,
        string? CodeChallenge, string? CodeChallengeMethod)
    {
        public static AuthorizationRequest From(IQueryCollection query)
        {
            string? Param(string name) => query.TryGetValue(name, out var values) ? values.ToString() : null;
            return new(Param("client_id"), Param("redirect_uri"), Param("response_type"), Param("scope") ?? "", Param("state"),
                Param("code_challenge"), Param("code_challenge_method"));
        }

        /// <summary>What the consent page is given, in Bitbucket's order; blank state and PKCE values are left out.</summary>
        public IEnumerable<KeyValuePair<string, string?>> ConsentPageParameters() => new KeyValuePair<string, string?>[]
        {
            new("client_id", ClientId),
            new("redirect_uri", RedirectUri),
            new("response_type", ResponseType),
            new("scope", Scope),
            new("state", State),
            new("code_challenge_method", CodeChallengeMethod),
            new("code_challenge", CodeChallenge),
        }.Where(p => !string.IsNullOrEmpty(p.Value));
    }
}
