using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Portal.Tests.Fakes.GitLab;

/// <summary>
/// GitLab's Doorkeeper provider (docs/gitlab-protocol.md §4): the sign-in form, <c>/oauth/authorize</c> with its consent
/// page (Authorize / Deny, skipped for trusted applications) and error page, and <c>/oauth/token</c> (authorization
/// code with PKCE, refresh with rotation). The browser's GitLab session is a <see cref="SessionCookieName"/> cookie
/// from the sign-in form or <see cref="SessionCookieFor"/>; <see cref="SignedInUser"/> stands in for it when set.
/// </summary>
public sealed partial class GitLabFake
{
    public const string SessionCookieName = "_gitlab_session";
    public const string AuthorizePath = "/oauth/authorize";
    public const string TokenPath = "/oauth/token";

    /// <summary>Where the sign-in form sends the browser afterwards; GitLab keeps it in the session (<c>user_return_to</c>).</summary>
    private const string ReturnToCookieName = "gitlab_fake_user_return_to";

    private const string InvalidGrantDescription =
        "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";

    private const string InvalidClientDescription =
        "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.";

    /// <summary>A selection of GitLab's scopes, as <c>scopes_supported</c> lists them.</summary>
    private static readonly string[] KnownScopes =
        ["api", "read_api", "read_user", "create_runner", "manage_runner", "k8s_proxy", "read_repository", "write_repository", "read_registry", "write_registry", "sudo", "admin_mode", "openid", "profile", "email"];

    private static readonly Dictionary<string, string> ScopeDescriptions = new(StringComparer.Ordinal)
    {
        ["api"] = "Grants complete read/write access to the API, including all groups and projects.",
        ["read_api"] = "Grants read access to the API, including all groups and projects.",
        ["read_user"] = "Grants read-only access to your profile through the /user API endpoint.",
        ["openid"] = "Grants permission to authenticate with GitLab using OpenID Connect.",
        ["profile"] = "Grants read-only access to the user's profile data using OpenID Connect.",
        ["email"] = "Grants read-only access to the user's primary email address using OpenID Connect.",
    };

    private readonly Lock _oauth = new();
    private readonly Dictionary<string, GitLabFakeApplication> _applications = new(StringComparer.Ordinal);
    private readonly Dictionary<long, GitLabFakeUser> _users = [];
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CodeGrant> _codes = new(StringComparer.Ordinal);
    private readonly List<TokenRecord> _tokens = [];
    private readonly List<GitLabFakeTokenExchange> _tokenExchanges = [];
    private readonly List<string> _issuedSecrets = [];
    private long? _signedInUserId;
    private volatile TimeProvider _clock = TimeProvider.System;
    private int _consentPagesShown;
    private int _errorPagesShown;

    /// <summary>The user signed in to GitLab in "the browser" when a request carries no session cookie (browserless helpers).</summary>
    public GitLabFakeUser? SignedInUser
    {
        get
        {
            lock (_oauth)
            {
                return _signedInUserId is { } id ? _users.GetValueOrDefault(id) : null;
            }
        }
        set
        {
            lock (_oauth)
            {
                if (value is not null)
                {
                    _users[value.Id] = value;
                }
                _signedInUserId = value?.Id;
            }
        }
    }

    /// <summary>The clock codes (10 minutes) and access tokens (7200 s) expire by.</summary>
    public TimeProvider Clock { get => _clock; set => _clock = value; }

    /// <summary>Doorkeeper's default <c>authorization_code_expires_in</c>; GitLab keeps it.</summary>
    public static TimeSpan CodeLifetime { get; } = TimeSpan.FromMinutes(10);

    /// <summary>GitLab's <c>access_token_expires_in 7200</c>.</summary>
    public static TimeSpan AccessTokenLifetime { get; } = TimeSpan.FromSeconds(7200);

    public int AuthorizeRequests => RequestsTo(AuthorizePath);

    public int TokenRequests => RequestsTo(TokenPath);

    /// <summary>How many times the consent page (Authorize / Deny) was shown.</summary>
    public int ConsentPagesShown => Volatile.Read(ref _consentPagesShown);

    /// <summary>How many times GitLab's OAuth error page (unknown client, unregistered redirect URI) was shown.</summary>
    public int ErrorPagesShown => Volatile.Read(ref _errorPagesShown);

    public IReadOnlyList<GitLabFakeTokenExchange> TokenExchanges
    {
        get
        {
            lock (_oauth)
            {
                return [.. _tokenExchanges];
            }
        }
    }

    /// <summary>Every secret the fake handed out or received (application secrets, codes, verifiers, tokens); none may reach the portal's logs.</summary>
    public IReadOnlyCollection<string> SecretValues
    {
        get
        {
            lock (_oauth)
            {
                var values = new HashSet<string>(_issuedSecrets, StringComparer.Ordinal);
                values.UnionWith(_applications.Values.Select(a => a.Secret));
                foreach (var exchange in _tokenExchanges)
                {
                    foreach (var value in new[] { exchange.Code, exchange.CodeVerifier, exchange.ClientSecret, exchange.RefreshToken })
                    {
                        if (!string.IsNullOrEmpty(value))
                        {
                            values.Add(value);
                        }
                    }
                }
                return values;
            }
        }
    }

    /// <summary>Registers (or replaces, by Application ID) an OAuth application.</summary>
    public GitLabFakeApplication RegisterApplication(GitLabFakeApplication application)
    {
        lock (_oauth)
        {
            _applications[application.ApplicationId] = application;
        }
        return application;
    }

    public GitLabFakeApplication RegisterApplication(string name, params string[] redirectUris) => RegisterApplication(GitLabFakeApplication.Create(name, redirectUris));

    public void AddUser(GitLabFakeUser user)
    {
        lock (_oauth)
        {
            _users[user.Id] = user;
        }
    }

    /// <summary>An administrator changes the user (rename, block): same id; tokens already issued stay.</summary>
    public void UpdateUser(GitLabFakeUser user) => AddUser(user);

    /// <summary>A <c>Cookie</c> header value for a browser signed in to GitLab as <paramref name="user"/>.</summary>
    public string SessionCookieFor(GitLabFakeUser user)
    {
        AddUser(user);
        return $"{SessionCookieName}={NewSession(user.Id)}";
    }

    /// <summary>Revokes an access token (and its refresh token), as "Revoke" under the user's Applications does.</summary>
    public void RevokeToken(string accessToken)
    {
        lock (_oauth)
        {
            foreach (var record in _tokens.Where(t => t.AccessToken == accessToken))
            {
                record.Revoked = true;
            }
        }
    }

    private void MapOAuthEndpoints(WebApplication app)
    {
        app.MapGet(SignInPath, (RequestDelegate)(context => WriteHtmlAsync(context.Response, 200, SignInPageHtml(context, error: null))));
        app.MapPost(SignInPath, (Delegate)SignInAsync);
        app.MapGet(AuthorizePath, (RequestDelegate)(context => AuthorizeAsync(context, context.Request.Query)));
        app.MapPost(AuthorizePath, (Delegate)DecideAsync);
        app.MapPost(TokenPath, (Delegate)TokenAsync);
    }

    // ---- Sign-in (Devise) ---------------------------------------------------------------------------------------

    private string SignInPageHtml(HttpContext context, string? error) =>
        $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Sign in · GitLab</title></head>
        <body><main>
        {(error is null ? "" : $"<div class=\"flash-alert\" role=\"alert\">{WebUtility.HtmlEncode(error)}</div>")}
        <form class="gl-show-field-errors" action="{context.Request.PathBase}{SignInPath}" method="post">
        <label for="user_login">Username or primary email</label><input type="text" name="user[login]" id="user_login" autocomplete="username">
        <label for="user_password">Password</label><input type="password" name="user[password]" id="user_password" autocomplete="current-password">
        <button type="submit" data-testid="sign-in-button">Sign in</button>
        </form></main></body></html>
        """;

    private async Task SignInAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var login = form["user[login]"].ToString();
        var password = form["user[password]"].ToString();
        GitLabFakeUser? user;
        lock (_oauth)
        {
            user = _users.Values.FirstOrDefault(u => (string.Equals(u.Username, login, StringComparison.OrdinalIgnoreCase)
                || string.Equals(u.Email, login, StringComparison.OrdinalIgnoreCase)) && u.Password == password);
        }
        if (user is null)
        {
            await WriteHtmlAsync(context.Response, 200, SignInPageHtml(context, "Invalid login or password."));
            return;
        }
        var cookiePath = context.Request.PathBase.HasValue ? context.Request.PathBase.Value! : "/";
        context.Response.Cookies.Append(SessionCookieName, NewSession(user.Id), new CookieOptions { HttpOnly = true, Path = cookiePath });
        var returnTo = context.Request.Cookies[ReturnToCookieName];
        context.Response.Cookies.Delete(ReturnToCookieName, new CookieOptions { Path = cookiePath });
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = returnTo is { Length: > 0 } && returnTo.StartsWith('/') && !returnTo.StartsWith("//", StringComparison.Ordinal)
            ? $"{context.Request.Scheme}://{context.Request.Host}{returnTo}"
            : PublicUrl(context, "/");
    }

    private string NewSession(long userId)
    {
        var id = GitLabFakeApplication.RandomHex(16);
        lock (_oauth)
        {
            _sessions[id] = new Session(userId, GitLabFakeApplication.RandomHex(32));
        }
        return id;
    }

    private (GitLabFakeUser User, Session Session)? CurrentSession(HttpContext context)
    {
        lock (_oauth)
        {
            if (context.Request.Cookies.TryGetValue(SessionCookieName, out var id) && _sessions.TryGetValue(id, out var session)
                && _users.TryGetValue(session.UserId, out var user))
            {
                return (user, session);
            }
            if (_signedInUserId is { } signedIn && _users.TryGetValue(signedIn, out var fallback))
            {
                // One fixed session for the browserless stand-in, so its consent form's authenticity_token checks out.
                return (fallback, _sessions.TryGetValue("signed-in-user", out var s) && s.UserId == signedIn
                    ? s
                    : _sessions["signed-in-user"] = new Session(signedIn, GitLabFakeApplication.RandomHex(32)));
            }
            return null;
        }
    }

    // ---- Authorize (Doorkeeper PreAuthorization order) -----------------------------------------------------------

    private async Task AuthorizeAsync(HttpContext context, IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        var request = AuthorizationRequest.From(parameters);
        if (CurrentSession(context) is not { } signedIn)
        {
            // resource_owner_authenticator: remember where to come back to, then Devise's sign-in page.
            context.Response.Cookies.Append(ReturnToCookieName, $"{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}",
                new CookieOptions { HttpOnly = true, Path = context.Request.PathBase.HasValue ? context.Request.PathBase.Value! : "/" });
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = PublicUrl(context, SignInPath);
            return;
        }

        GitLabFakeApplication? application;
        lock (_oauth)
        {
            application = _applications.GetValueOrDefault(request.ClientId);
        }
        if (application is null)
        {
            await ErrorPageAsync(context, "invalid_client", InvalidClientDescription);
            return;
        }
        if (!application.RedirectUris.Contains(request.RedirectUri, StringComparer.Ordinal))
        {
            await ErrorPageAsync(context, "invalid_redirect_uri", "The requested redirect uri is malformed or doesn't match client redirect URI.");
            return;
        }
        // GitLab's Oauth::AuthorizationsController#new renders every pre-authorization error on its own page (HTTP 200)
        // instead of Doorkeeper's redirect to the client: only Deny goes back to the redirect URI with an error.
        if (request.ResponseType != "code")
        {
            await ErrorPageAsync(context, "unsupported_response_type", "The authorization server does not support this response type.");
            return;
        }
        var scopes = request.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scopes.Length == 0 || !scopes.All(s => application.Scopes.Contains(s, StringComparer.Ordinal)))
        {
            await ErrorPageAsync(context, "invalid_scope", "The requested scope is invalid, unknown, or malformed.");
            return;
        }
        if (request.CodeChallenge.Length > 0 && request.CodeChallengeMethod is not ("S256" or "plain" or ""))
        {
            await ErrorPageAsync(context, "invalid_request", "The code_challenge_method must be one of plain, S256.");
            return;
        }

        if (context.Request.Method == HttpMethods.Get && !application.Trusted)
        {
            Interlocked.Increment(ref _consentPagesShown);
            await WriteHtmlAsync(context.Response, 200, ConsentPageHtml(context, application, request, signedIn.Session.AuthenticityToken));
            return;
        }
        var code = GitLabFakeApplication.RandomHex(32);
        lock (_oauth)
        {
            _codes[code] = new CodeGrant(application.ApplicationId, request.RedirectUri, string.Join(' ', scopes), signedIn.User.Id,
                request.CodeChallenge.Length > 0 ? request.CodeChallenge : null, request.CodeChallengeMethod is { Length: > 0 } m ? m : "plain", Clock.GetUtcNow());
            _issuedSecrets.Add(code);
        }
        Redirect(context, request, new Dictionary<string, string?> { ["code"] = code, ["state"] = request.State });
    }

    /// <summary>The consent page's two forms: Deny (<c>_method=delete</c>) and Authorize, both posting the request back.</summary>
    private async Task DecideAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (CurrentSession(context) is not { } signedIn || form["authenticity_token"] != signedIn.Session.AuthenticityToken)
        {
            await WriteHtmlAsync(context.Response, 422, "<!DOCTYPE html><html><head><title>The change you requested was rejected (422)</title></head><body><h3>The change you requested was rejected.</h3></body></html>");
            return;
        }
        if (form["_method"] == "delete")
        {
            var request = AuthorizationRequest.From(form);
            RedirectWithError(context, request, "access_denied", "The resource owner or authorization server denied the request.");
            return;
        }
        await AuthorizeAsync(context, form);
    }

    private string ConsentPageHtml(HttpContext context, GitLabFakeApplication application, AuthorizationRequest request, string authenticityToken)
    {
        var name = WebUtility.HtmlEncode(application.Name);
        var hidden = new StringBuilder();
        foreach (var (field, value) in request.Fields())
        {
            hidden.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"{field}\" value=\"{WebUtility.HtmlEncode(value)}\">");
        }
        hidden.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"authenticity_token\" value=\"{authenticityToken}\">");
        var scopes = string.Concat(request.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => $"<li><strong>{s}</strong><div>{ScopeDescriptions.GetValueOrDefault(s, "")}</div></li>"));
        var action = $"{context.Request.PathBase}{AuthorizePath}";
        return $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Authorize {name} · GitLab</title></head>
            <body><main role="main"><div class="doorkeeper-authorize">
            <h4>Authorize <a href="{WebUtility.HtmlEncode(request.RedirectUri)}">{name}</a> to use your account?</h4>
            <p>An application called {name} is requesting access to your GitLab account. Please note that this application is not provided by GitLab and you should verify its authenticity before allowing access.</p>
            <p>This application will be able to:</p><ul>{scopes}</ul>
            <form action="{action}" method="post" class="inline"><input type="hidden" name="_method" value="delete">{hidden}<button type="submit">Deny</button></form>
            <form action="{action}" method="post" class="inline">{hidden}<button type="submit" id="commit-changes">Authorize</button></form>
            </div></main></body></html>
            """;
    }

    private async Task ErrorPageAsync(HttpContext context, string error, string description)
    {
        Interlocked.Increment(ref _errorPagesShown);
        await WriteHtmlAsync(context.Response, 200,
            $"<!DOCTYPE html><html><head><title>An error has occurred · GitLab</title></head><body><main><h3>An error has occurred</h3><p data-error=\"{error}\">{WebUtility.HtmlEncode(description)}</p></main></body></html>");
    }

    private static void RedirectWithError(HttpContext context, AuthorizationRequest request, string error, string description) =>
        Redirect(context, request, new Dictionary<string, string?> { ["error"] = error, ["error_description"] = description, ["state"] = request.State });

    private static void Redirect(HttpContext context, AuthorizationRequest request, Dictionary<string, string?> parameters)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = QueryHelpers.AddQueryString(request.RedirectUri,
            parameters.Where(p => !string.IsNullOrEmpty(p.Value)));
    }

    // ---- Token (Doorkeeper TokensController) ---------------------------------------------------------------------

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        IFormCollection form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : FormCollection.Empty;
        string? Field(string name) => form.TryGetValue(name, out var values) && !StringValues.IsNullOrEmpty(values) ? values.ToString() : null;
        var (clientId, clientSecret) = ClientCredentials(context, Field("client_id"), Field("client_secret"));
        var grantType = Field("grant_type");

        TokenOutcome outcome;
        lock (_oauth)
        {
            outcome = grantType switch
            {
                null => TokenOutcome.Fail(400, "invalid_request", "Missing required parameter: grant_type."),
                "authorization_code" => RedeemCode(Field("code"), Field("redirect_uri"), clientId, clientSecret, Field("code_verifier")),
                "refresh_token" => Refresh(Field("refresh_token"), clientId, clientSecret),
                _ => TokenOutcome.Fail(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server."),
            };
            _tokenExchanges.Add(new GitLabFakeTokenExchange(grantType ?? "", clientId, Field("code"), Field("code_verifier"), clientSecret, Field("refresh_token"),
                outcome.Status, outcome.Error, outcome.Token?.AccessToken, outcome.Token?.RefreshToken));
        }
        if (outcome.Token is not { } token)
        {
            if (outcome.Status == 401)
            {
                context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"Doorkeeper\", error=\"{outcome.Error}\", error_description=\"{outcome.Description}\"";
            }
            return Results.Json(new Dictionary<string, string> { ["error"] = outcome.Error!, ["error_description"] = outcome.Description! }, statusCode: outcome.Status);
        }
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = token.AccessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)AccessTokenLifetime.TotalSeconds,
            ["refresh_token"] = token.RefreshToken,
            ["scope"] = token.Scope,
            ["created_at"] = token.CreatedAt.ToUnixTimeSeconds(),
        });
    }

    /// <summary>Doorkeeper reads HTTP Basic first, then the form (<c>client_secret_basic</c>, <c>client_secret_post</c>).</summary>
    private static (string? Id, string? Secret) ClientCredentials(HttpContext context, string? formId, string? formSecret)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    return (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
                }
            }
            catch (FormatException)
            {
            }
        }
        return (formId, formSecret);
    }

    /// <summary>Called under the lock. Doorkeeper validates attributes, then the client, then the grant, redirect URI and PKCE.</summary>
    private TokenOutcome RedeemCode(string? code, string? redirectUri, string? clientId, string? clientSecret, string? verifier)
    {
        if (redirectUri is null)
        {
            return TokenOutcome.Fail(400, "invalid_request", "Missing required parameter: redirect_uri.");
        }
        if (Authenticate(clientId, clientSecret) is not { } application)
        {
            return TokenOutcome.Fail(401, "invalid_client", InvalidClientDescription);
        }
        if (code is null || !_codes.TryGetValue(code, out var grant) || grant.ApplicationId != application.ApplicationId
            || grant.Revoked || Clock.GetUtcNow() - grant.IssuedAt > CodeLifetime)
        {
            // A second use lands here (the grant was revoked on first use); Doorkeeper leaves the tokens it issued alone.
            return TokenOutcome.Fail(400, "invalid_grant", InvalidGrantDescription);
        }
        if (!string.Equals(grant.RedirectUri, redirectUri, StringComparison.Ordinal))
        {
            return TokenOutcome.Fail(400, "invalid_grant", InvalidGrantDescription);
        }
        if (grant.Challenge is not null)
        {
            if (verifier is null)
            {
                return TokenOutcome.Fail(400, "invalid_request", "Missing required parameter: code_verifier.");
            }
            var expected = grant.ChallengeMethod == "S256" ? Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) : verifier;
            if (!string.Equals(expected, grant.Challenge, StringComparison.Ordinal))
            {
                return TokenOutcome.Fail(400, "invalid_grant", InvalidGrantDescription);
            }
        }
        grant.Revoked = true;
        return TokenOutcome.Issued(IssueToken(application.ApplicationId, grant.UserId, grant.Scope, previousRefreshToken: null));
    }

    /// <summary>Called under the lock. Rotation with Doorkeeper's revoke-on-use: the old pair lives until the new access token is used.</summary>
    private TokenOutcome Refresh(string? refreshToken, string? clientId, string? clientSecret)
    {
        if (refreshToken is null)
        {
            return TokenOutcome.Fail(400, "invalid_request", "Missing required parameter: refresh_token.");
        }
        if (Authenticate(clientId, clientSecret) is not { } application)
        {
            return TokenOutcome.Fail(401, "invalid_client", InvalidClientDescription);
        }
        var record = _tokens.FirstOrDefault(t => t.RefreshToken == refreshToken);
        if (record is null || record.Revoked || record.ApplicationId != application.ApplicationId)
        {
            return TokenOutcome.Fail(400, "invalid_grant", InvalidGrantDescription);
        }
        return TokenOutcome.Issued(IssueToken(application.ApplicationId, record.UserId, record.Scope, previousRefreshToken: refreshToken));
    }

    /// <summary>Called under the lock: the application whose credentials these are; a public (non-confidential) one needs no secret.</summary>
    private GitLabFakeApplication? Authenticate(string? clientId, string? clientSecret)
    {
        if (clientId is null || !_applications.TryGetValue(clientId, out var application))
        {
            return null;
        }
        if (clientSecret is null)
        {
            return application.Confidential ? null : application;
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(application.Secret), Encoding.UTF8.GetBytes(clientSecret)) ? application : null;
    }

    private TokenRecord IssueToken(string applicationId, long userId, string scope, string? previousRefreshToken)
    {
        var record = new TokenRecord(GitLabFakeApplication.RandomHex(32), GitLabFakeApplication.RandomHex(32), applicationId, userId, scope, Clock.GetUtcNow())
        {
            PreviousRefreshToken = previousRefreshToken,
        };
        _tokens.Add(record);
        _issuedSecrets.Add(record.AccessToken);
        _issuedSecrets.Add(record.RefreshToken);
        return record;
    }

    private sealed record Session(long UserId, string AuthenticityToken);

    private sealed class CodeGrant(string applicationId, string redirectUri, string scope, long userId, string? challenge, string challengeMethod, DateTimeOffset issuedAt)
    {
        public string ApplicationId { get; } = applicationId;
        public string RedirectUri { get; } = redirectUri;
        public string Scope { get; } = scope;
        public long UserId { get; } = userId;
        public string? Challenge { get; } = challenge;
        public string ChallengeMethod { get; } = challengeMethod;
        public DateTimeOffset IssuedAt { get; } = issuedAt;
        public bool Revoked { get; set; }
    }

    /// <summary>One Doorkeeper access token row: the access token and its refresh token live and die together.</summary>
    private sealed record TokenRecord(string AccessToken, string RefreshToken, string ApplicationId, long UserId, string Scope, DateTimeOffset CreatedAt)
    {
        public bool Revoked { get; set; }

        public string? PreviousRefreshToken { get; set; }
    }

    private sealed record TokenOutcome(int Status, string? Error, string? Description, TokenRecord? Token)
    {
        public static TokenOutcome Fail(int status, string error, string description) => new(status, error, description, null);

        public static TokenOutcome Issued(TokenRecord token) => new(200, null, null, token);
    }

    private sealed record AuthorizationRequest(string ClientId, string RedirectUri, string ResponseType, string State, string Scope, string Nonce,
        string CodeChallenge, string CodeChallengeMethod)
    {
        public static AuthorizationRequest From(IEnumerable<KeyValuePair<string, StringValues>> parameters)
        {
            var map = parameters.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
            string Get(string name) => map.GetValueOrDefault(name, "");
            return new(Get("client_id"), Get("redirect_uri"), Get("response_type"), Get("state"), Get("scope"), Get("nonce"),
                Get("code_challenge"), Get("code_challenge_method"));
        }

        /// <summary>The hidden fields of GitLab's consent forms.</summary>
        public IEnumerable<(string, string)> Fields() =>
        [
            ("client_id", ClientId), ("redirect_uri", RedirectUri), ("state", State), ("response_type", ResponseType), ("scope", Scope),
            ("nonce", Nonce), ("code_challenge", CodeChallenge), ("code_challenge_method", CodeChallengeMethod),
        ];
    }
}
