using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Portal.Tests.Fakes;

/// <summary>
/// Bitbucket's OAuth 2 provider (token endpoint; authorize with its consent page in BitbucketFake.Consent.cs), its
/// bearer-token filter and the user search, as shared/docs/bitbucket-protocol.md §1.4–1.7 and §2 describe them. The
/// consent page shows the <see cref="ConsentingUser"/> (or the user of a <see cref="SessionCookieFor"/> cookie), who
/// chooses Allow or Deny there.
/// </summary>
public sealed partial class BitbucketFake
{
    public const string SessionCookieName = "BITBUCKETSESSIONID";
    private const string AuthenticatedUserItem = "BitbucketFake.User";

    /// <summary>Each scope and the scopes it includes (§1.8).</summary>
    private static readonly Dictionary<string, string[]> ScopeIncludes = new(StringComparer.Ordinal)
    {
        ["PUBLIC_REPOS"] = [],
        ["ACCOUNT_WRITE"] = ["PUBLIC_REPOS"],
        ["REPO_READ"] = ["PUBLIC_REPOS"],
        ["REPO_WRITE"] = ["REPO_READ"],
        ["REPO_ADMIN"] = ["REPO_WRITE"],
        ["PROJECT_ADMIN"] = ["REPO_ADMIN"],
        ["ADMIN_WRITE"] = ["PROJECT_ADMIN", "ACCOUNT_WRITE"],
        ["SYSTEM_ADMIN"] = ["ADMIN_WRITE"],
    };

    private readonly Lock _oauth = new();
    private readonly Dictionary<string, BitbucketOAuthClient> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<long, BitbucketFakeUser> _users = [];
    private readonly Dictionary<string, long> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CodeGrant> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TokenGrant> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TokenGrant> _refreshTokens = new(StringComparer.Ordinal);
    private readonly List<FakeTokenExchange> _tokenExchanges = [];
    private readonly List<string> _issuedCodes = [];
    private readonly List<string> _issuedTokens = [];
    private long? _consentingUserId;
    private volatile bool _denyConsent;
    private volatile bool _tokenEndpointDown;
    private volatile TokenEndpointStandIn? _tokenEndpointStandIn;
    private volatile bool _issueTokensThatYieldNoIdentity;
    private volatile TimeProvider _clock = TimeProvider.System;
    private long _codeLifetimeTicks = TimeSpan.FromSeconds(10).Ticks;
    private int _tokenRequests;
    private int _authorizeRequests;
    private int _userSearchRequests;

    /// <summary>The user who is signed in to Bitbucket in "the browser": the OAuth 2 consent page is theirs, and OAuth 1 approves at once for them.</summary>
    public BitbucketFakeUser? ConsentingUser
    {
        get
        {
            lock (_oauth)
            {
                return _consentingUserId is { } id ? _users.GetValueOrDefault(id) : null;
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
                _consentingUserId = value?.Id;
            }
        }
    }

    /// <summary>
    /// The user denies: OAuth 1's authorize page answers <c>oauth_verifier=denied</c> at once; on the OAuth 2 consent
    /// page, browserless helpers (SignInScenario) click Deny instead of Allow, and <see cref="Denial"/> says what follows.
    /// </summary>
    public bool DenyConsent { get => _denyConsent; set => _denyConsent = value; }

    /// <summary>Bitbucket goes down for the token exchange: the token endpoint drops the connection without answering.</summary>
    public bool TokenEndpointDown { get => _tokenEndpointDown; set => _tokenEndpointDown = value; }

    /// <summary>
    /// Something in front of Bitbucket (a proxy, an SSO gateway) answers the token endpoint instead of Bitbucket: with
    /// this status, content type and body, or not at all until the caller gives up (<see cref="TokenEndpointStandIn.Hangs"/>).
    /// </summary>
    public TokenEndpointStandIn? TokenEndpointStandIn { get => _tokenEndpointStandIn; set => _tokenEndpointStandIn = value; }

    /// <summary>
    /// The token endpoint answers normally but the bearer filter later treats the tokens as unknown (anonymous); OAuth 1
    /// access tokens are then refused with <c>token_rejected</c>.
    /// </summary>
    public bool IssueTokensThatYieldNoIdentity { get => _issueTokensThatYieldNoIdentity; set => _issueTokensThatYieldNoIdentity = value; }

    /// <summary>The clock for code and token expiry, and the server clock OAuth 1 timestamps and the <c>Date</c> header go by.</summary>
    public TimeProvider Clock { get => _clock; set => _clock = value; }

    /// <summary>
    /// <c>atlassian.oauth2.provider.max.client.delay.seconds</c>: how long a code can be redeemed; 10 s by default, as
    /// Atlassian's documentation says (the 3.1.5 plugin's own default is 60 s; the stricter one is the safer assumption).
    /// </summary>
    public TimeSpan CodeLifetime
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _codeLifetimeTicks));
        set => Interlocked.Exchange(ref _codeLifetimeTicks, value.Ticks);
    }

    public static TimeSpan AccessTokenLifetime { get; } = TimeSpan.FromHours(1);

    /// <summary>The token_type of issued tokens: Bitbucket writes "bearer".</summary>
    public string TokenType { get; set; } = "bearer";

    public static TimeSpan RefreshTokenLifetime { get; } = TimeSpan.FromDays(90);

    /// <summary>Requests that reached the token endpoint, answered or not.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>Requests that reached the OAuth 2 authorize endpoint: a sign-in makes two, the first one and the one Allow sends.</summary>
    public int AuthorizeRequests => Volatile.Read(ref _authorizeRequests);

    public int UserSearchRequests => Volatile.Read(ref _userSearchRequests);

    public IReadOnlyList<FakeTokenExchange> TokenExchanges
    {
        get
        {
            lock (_oauth)
            {
                return [.. _tokenExchanges];
            }
        }
    }

    public IReadOnlyList<string> IssuedCodes
    {
        get
        {
            lock (_oauth)
            {
                return [.. _issuedCodes];
            }
        }
    }

    /// <summary>
    /// Every secret value the fake handed out or received: client secrets, authorization codes, PKCE verifiers,
    /// access and refresh tokens. None of them may appear in the portal's logs.
    /// </summary>
    public IReadOnlyCollection<string> SecretValues
    {
        get
        {
            lock (_oauth)
            {
                var values = new HashSet<string>(StringComparer.Ordinal);
                values.UnionWith(_clients.Values.Select(c => c.ClientSecret));
                values.UnionWith(_retiredClientSecrets);
                values.UnionWith(_issuedCodes);
                values.UnionWith(_issuedTokens);
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

    /// <summary>Registers (or replaces, by Client ID) an incoming application link.</summary>
    public BitbucketOAuthClient RegisterClient(BitbucketOAuthClient client)
    {
        lock (_oauth)
        {
            _clients[client.ClientId] = client;
        }
        return client;
    }

    public BitbucketOAuthClient RegisterClient(string name, params string[] redirectUris) => RegisterClient(BitbucketOAuthClient.Create(name, redirectUris));

    public void AddUser(BitbucketFakeUser user)
    {
        lock (_oauth)
        {
            _users[user.Id] = user;
        }
    }

    public BitbucketFakeUser? FindUser(long id)
    {
        lock (_oauth)
        {
            return _users.GetValueOrDefault(id);
        }
    }

    /// <summary>An administrator renames the user: new name and slug, same id. Tokens already issued stay valid.</summary>
    public BitbucketFakeUser RenameUser(long id, string newName, string newSlug, string? newDisplayName = null)
    {
        lock (_oauth)
        {
            var renamed = _users[id] with { Name = newName, Slug = newSlug, DisplayName = newDisplayName ?? _users[id].DisplayName };
            _users[id] = renamed;
            return renamed;
        }
    }

    /// <summary>A <c>Cookie</c> header value for a browser signed in to Bitbucket as <paramref name="user"/>; it overrides <see cref="ConsentingUser"/>.</summary>
    public string SessionCookieFor(BitbucketFakeUser user)
    {
        var session = BitbucketOAuthClient.RandomHex(16);
        lock (_oauth)
        {
            _users.TryAdd(user.Id, user);
            _sessions[session] = user.Id;
        }
        return $"{SessionCookieName}={session}";
    }

    /// <summary>Whether the bearer filter accepts <paramref name="accessToken"/> right now.</summary>
    public bool IsAccessTokenActive(string accessToken) => UserForAccessToken(accessToken) is not null;

    partial void MapOAuthEndpoints(WebApplication app)
    {
        app.Use(BearerFilterAsync);
        MapConsentEndpoints(app);
        app.MapPost("/rest/oauth2/latest/token", (Delegate)TokenAsync);
        foreach (var prefix in new[] { "/rest/api/1.0", "/rest/api/latest" })
        {
            app.MapGet(prefix + "/users", SearchUsers);
            app.MapGet(prefix + "/users/{slug}", GetUser);
        }
    }

    // ---- Bearer filter (AccessTokenFilter) -------------------------------------------------------------------------

    /// <summary>
    /// A valid <c>Authorization: Bearer</c> token makes the request authenticated: every response, whatever its status,
    /// carries <c>X-AUSERNAME</c> and <c>X-AUSERID</c> (<see cref="MarkAuthenticated"/>). An unknown, revoked or expired
    /// token is not refused: the request goes on as anonymous.
    /// </summary>
    private Task BearerFilterAsync(HttpContext context, RequestDelegate next)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal) && UserForAccessToken(header["Bearer ".Length..].Trim()) is { } user)
        {
            MarkAuthenticated(context, user);
        }
        return next(context);
    }

    private BitbucketFakeUser? UserForAccessToken(string token)
    {
        var now = Clock.GetUtcNow();
        lock (_oauth)
        {
            return _accessTokens.TryGetValue(token, out var grant) && grant.ExpiresAt > now ? _users.GetValueOrDefault(grant.UserId) : null;
        }
    }

    private static BitbucketFakeUser? AuthenticatedUser(HttpContext context) => context.Items[AuthenticatedUserItem] as BitbucketFakeUser;

    private BitbucketFakeUser? SessionUser(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(SessionCookieName, out var session))
        {
            return null;
        }
        lock (_oauth)
        {
            return _sessions.TryGetValue(session, out var id) ? _users.GetValueOrDefault(id) : null;
        }
    }

    /// <summary>Scope names split on single spaces (a leading space makes an empty, unknown name); each must be granted by the link.</summary>
    private static bool ScopeAllowed(string scope, IEnumerable<string> granted)
    {
        if (string.IsNullOrWhiteSpace(scope))
        {
            return false;
        }
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(granted);
        while (pending.TryPop(out var name))
        {
            if (allowed.Add(name))
            {
                foreach (var included in ScopeIncludes.GetValueOrDefault(name, []))
                {
                    pending.Push(included);
                }
            }
        }
        return scope.Split(' ').All(name => ScopeIncludes.ContainsKey(name) && allowed.Contains(name));
    }

    // ---- Token (TokenResource, §1.6/1.7) ---------------------------------------------------------------------------

    /// <summary>
    /// Form body only; the client's credentials are read from the form, an <c>Authorization: Basic</c> header is
    /// ignored. Grant-specific checks run before client authentication.
    /// </summary>
    private async Task<IResult> TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenRequests);
        if (TokenEndpointDown)
        {
            context.Abort();
            return Results.Empty;
        }
        if (TokenEndpointStandIn is { } standIn)
        {
            if (standIn.Hangs)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Results.Empty;
            }
            return Results.Text(standIn.Body, standIn.ContentType, System.Text.Encoding.UTF8, standIn.Status);
        }
        context.Response.Headers.CacheControl = "no-store, no-cache";
        context.Response.Headers.Pragma = "no-cache";
        IFormCollection form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : FormCollection.Empty;
        string? Field(string name) => form.TryGetValue(name, out var values) && !StringValues.IsNullOrEmpty(values) ? values.ToString() : null;

        var grantType = Field("grant_type");
        var clientId = Field("client_id");
        var clientSecret = Field("client_secret");
        var outcome = grantType switch
        {
            null => TokenOutcome.Fail(400, "invalid_request", "The grant_type parameter is required."),
            "authorization_code" => RedeemCode(Field("code"), Field("redirect_uri"), clientId, clientSecret, Field("code_verifier")),
            "refresh_token" => Refresh(Field("refresh_token"), clientId, clientSecret),
            _ => TokenOutcome.Fail(400, "unsupported_grant_type", $"The grant type {grantType} is not supported."),
        };
        lock (_oauth)
        {
            _tokenExchanges.Add(new FakeTokenExchange(grantType ?? "", Field("code"), Field("code_verifier"), clientSecret, Field("refresh_token"),
                outcome.Status, outcome.Error, outcome.AccessToken, outcome.RefreshToken));
        }
        if (outcome.Error is not null)
        {
            return Results.Json(new Dictionary<string, string> { ["error"] = outcome.Error, ["error_description"] = outcome.Description! }, statusCode: outcome.Status);
        }
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = outcome.AccessToken!,
            ["token_type"] = TokenType,
            ["expires_in"] = (int)AccessTokenLifetime.TotalSeconds,
            ["refresh_token"] = outcome.RefreshToken!,
            ["scope"] = outcome.Scope!,
        });
    }

    private TokenOutcome RedeemCode(string? code, string? redirectUri, string? clientId, string? clientSecret, string? verifier)
    {
        if (code is null || redirectUri is null || clientId is null)
        {
            return TokenOutcome.Fail(400, "invalid_request", "The code, redirect_uri and client_id parameters are required.");
        }
        lock (_oauth)
        {
            if (!_codes.TryGetValue(code, out var grant))
            {
                return TokenOutcome.Fail(400, "invalid_request", "The authorization code is invalid or expired.");
            }
            if (grant.Redeemed)
            {
                // blockReplayAttack: everything issued from this code is revoked.
                RevokeTokensFromCode(code);
                return TokenOutcome.Fail(400, "invalid_grant", "The authorization code has already been used.");
            }
            if (Clock.GetUtcNow() - grant.IssuedAt > CodeLifetime)
            {
                return TokenOutcome.Fail(400, "invalid_request", "The authorization code is invalid or expired.");
            }
            if (!string.Equals(grant.ClientId, clientId, StringComparison.Ordinal))
            {
                return TokenOutcome.Fail(400, "invalid_grant", "The authorization code was issued to another client.");
            }
            if (!string.Equals(grant.RedirectUri, redirectUri, StringComparison.Ordinal))
            {
                return TokenOutcome.Fail(400, "invalid_grant", "The redirect_uri does not match the one of the authorization request.");
            }
            if (grant.ChallengeMethod is not null && !VerifierMatches(grant, verifier))
            {
                return TokenOutcome.Fail(400, "invalid_grant", "The PKCE code verifier is missing or does not match the code challenge.");
            }
            if (Authenticate(clientId, clientSecret) is { } failure)
            {
                return failure;
            }
            grant.Redeemed = true;
            return IssueTokens(clientId, grant.UserId, grant.Scope, code);
        }
    }

    private TokenOutcome Refresh(string? refreshToken, string? clientId, string? clientSecret)
    {
        if (refreshToken is null || clientId is null)
        {
            return TokenOutcome.Fail(400, "invalid_request", "The refresh_token and client_id parameters are required.");
        }
        lock (_oauth)
        {
            if (!_refreshTokens.TryGetValue(refreshToken, out var grant)
                || !string.Equals(grant.ClientId, clientId, StringComparison.Ordinal)
                || Clock.GetUtcNow() - grant.IssuedAt > RefreshTokenLifetime)
            {
                return TokenOutcome.Fail(400, "invalid_grant", "The refresh token is invalid or expired.");
            }
            if (Authenticate(clientId, clientSecret) is { } failure)
            {
                return failure;
            }
            // RefreshTokenGrantProcessor: the old pair is deleted and a new one issued.
            _refreshTokens.Remove(refreshToken);
            _accessTokens.Remove(grant.Partner);
            return IssueTokens(clientId, grant.UserId, grant.Scope, grant.Code);
        }
    }

    private TokenOutcome? Authenticate(string clientId, string? clientSecret) =>
        _clients.TryGetValue(clientId, out var client) && clientSecret is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(client.ClientSecret), Encoding.UTF8.GetBytes(clientSecret))
            ? null
            : TokenOutcome.Fail(401, "invalid_client", "Client authentication failed.");

    private static bool VerifierMatches(CodeGrant grant, string? verifier)
    {
        if (verifier is null || !PkcePattern().IsMatch(verifier))
        {
            return false;
        }
        var expected = grant.ChallengeMethod == "S256"
            ? Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_')
            : verifier;
        return string.Equals(expected, grant.Challenge, StringComparison.Ordinal);
    }

    /// <summary>Called under the lock.</summary>
    private TokenOutcome IssueTokens(string clientId, long userId, string scope, string code)
    {
        var now = Clock.GetUtcNow();
        var accessToken = NewTokenValue();
        var refreshToken = NewTokenValue();
        _issuedTokens.Add(accessToken);
        _issuedTokens.Add(refreshToken);
        if (!IssueTokensThatYieldNoIdentity)
        {
            _accessTokens[accessToken] = new TokenGrant(clientId, userId, scope, code, now, now + AccessTokenLifetime, refreshToken);
            _refreshTokens[refreshToken] = new TokenGrant(clientId, userId, scope, code, now, now + RefreshTokenLifetime, accessToken);
        }
        return new TokenOutcome(200, null, null, accessToken, refreshToken, scope);
    }

    private void RevokeTokensFromCode(string code)
    {
        foreach (var token in _accessTokens.Where(t => t.Value.Code == code).Select(t => t.Key).ToList())
        {
            _accessTokens.Remove(token);
        }
        foreach (var token in _refreshTokens.Where(t => t.Value.Code == code).Select(t => t.Key).ToList())
        {
            _refreshTokens.Remove(token);
        }
    }

    private static string NewTokenValue() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(33)).Replace('+', '-').Replace('/', '_');

    [GeneratedRegex(@"^[0-9a-zA-Z~\-._]{43,128}$")]
    private static partial Regex PkcePattern();

    private sealed class CodeGrant(string clientId, string redirectUri, string scope, long userId, string? challenge, string? challengeMethod, DateTimeOffset issuedAt)
    {
        public string ClientId { get; } = clientId;
        public string RedirectUri { get; } = redirectUri;
        public string Scope { get; } = scope;
        public long UserId { get; } = userId;
        public string? Challenge { get; } = challenge;
        public string? ChallengeMethod { get; } = challengeMethod;
        public DateTimeOffset IssuedAt { get; } = issuedAt;
        public bool Redeemed { get; set; }
    }

    /// <summary>An access or refresh token; <see cref="Partner"/> is the other token of the pair.</summary>
    private sealed record TokenGrant(string ClientId, long UserId, string Scope, string Code, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string Partner);

    private sealed record TokenOutcome(int Status, string? Error, string? Description, string? AccessToken, string? RefreshToken, string? Scope)
    {
        public static TokenOutcome Fail(int status, string error, string description) => new(status, error, description, null, null, null);
    }
}
