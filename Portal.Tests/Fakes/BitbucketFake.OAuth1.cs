using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Fakes;

/// <summary>
/// Bitbucket's OAuth 1.0a provider as shared/docs/bitbucket-protocol.md §4 describes it: request-token, the browser's
/// authorize page, access-token, and the filter that authenticates requests signed with an access token (like the
/// bearer filter: <c>X-AUSERNAME</c>/<c>X-AUSERID</c> on success; unlike it, a refused request is blocked with its
/// <c>oauth_problem</c>, never served anonymously). Consumers are registered as a Bitbucket administrator fills Incoming
/// Authentication: Consumer Key and Public Key (read as Bitbucket reads it, see <see cref="BitbucketRsaKeys"/>). Every
/// signature is checked by an <see cref="OAuth1SignatureVerifier"/> against the fake's <see cref="Clock"/> (±5 minutes,
/// nonces spent for 5 minutes).
/// The authorize page approves at once for <see cref="ConsentingUser"/> (or a <see cref="SessionCookieFor"/> user), or
/// answers <c>oauth_verifier=denied</c> when <see cref="DenyConsent"/> is set.
/// </summary>
public sealed partial class BitbucketFake
{
    /// <summary>The servlet path of the OAuth 1 endpoints, below the context path.</summary>
    public const string OAuth1ServletPath = "/plugins/servlet/oauth";

    /// <summary><c>atlassian.oauth.default.request.token.ttl</c>: 10 minutes.</summary>
    public static readonly TimeSpan RequestTokenLifetime = TimeSpan.FromMinutes(10);

    /// <summary><c>atlassian.oauth.default.access.token.ttl</c>: 5 years.</summary>
    public static readonly TimeSpan OAuth1AccessTokenLifetime = TimeSpan.FromDays(1825);

    /// <summary><c>atlassian.oauth.default.session.ttl</c>: the access token's lifetime plus 30 days.</summary>
    public static readonly TimeSpan OAuth1SessionLifetime = OAuth1AccessTokenLifetime + TimeSpan.FromDays(30);

    private const string OAuth1RequestToken = "request-token";
    private const string OAuth1AccessToken = "access-token";
    private const string OAuth1Resource = "resource";

    private readonly OAuth1SignatureVerifier _oauth1Verifier = new();
    private readonly Dictionary<string, BitbucketOAuth1Consumer> _oauth1Consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RequestTokenGrant> _requestTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OAuth1AccessGrant> _oauth1AccessTokens = new(StringComparer.Ordinal);
    private readonly List<FakeOAuth1Request> _oauth1Requests = [];
    private readonly List<string> _oauth1Secrets = [];
    private volatile bool _proxyRetriesOAuth1Posts;
    private volatile Action? _afterOAuth1AccessTokenIssued;
    private int _oauth1AuthorizeRequests;

    /// <summary>
    /// A proxy between the portal and Bitbucket retries every OAuth 1 POST once, and the portal gets the retry's answer:
    /// the first try spent the nonce, so Bitbucket answers <c>nonce_used</c>.
    /// </summary>
    public bool ProxyRetriesOAuth1Posts { get => _proxyRetriesOAuth1Posts; set => _proxyRetriesOAuth1Posts = value; }

    /// <summary>
    /// Every request token is this value instead of a random one: a server that issues a token it issued before (an
    /// emulator that counts from one again after a restart, or one that always answers the same).
    /// </summary>
    public string? ReissuedRequestToken { get => Volatile.Read(ref _reissuedRequestToken); set => Volatile.Write(ref _reissuedRequestToken, value); }
    private string? _reissuedRequestToken;

    /// <summary>
    /// Runs when an access token has been issued, just before the answer is sent (for example to move <see cref="Clock"/>
    /// between the token steps and the identity lookup).
    /// </summary>
    public Action? AfterOAuth1AccessTokenIssued { get => _afterOAuth1AccessTokenIssued; set => _afterOAuth1AccessTokenIssued = value; }

    /// <summary>Requests that reached the OAuth 1 authorize page.</summary>
    public int OAuth1AuthorizeRequests => Volatile.Read(ref _oauth1AuthorizeRequests);

    /// <summary>Every request-token and access-token request, and every request signed with an OAuth 1 token, in order.</summary>
    public IReadOnlyList<FakeOAuth1Request> OAuth1Requests
    {
        get
        {
            lock (_oauth)
            {
                return [.. _oauth1Requests];
            }
        }
    }

    /// <summary>
    /// Every secret value of the OAuth 1 flow the fake handed out: request tokens and their secrets, verifiers, access
    /// tokens, token secrets and session handles. None of them may appear in the portal's logs.
    /// </summary>
    public IReadOnlyCollection<string> OAuth1SecretValues
    {
        get
        {
            lock (_oauth)
            {
                return [.. _oauth1Secrets];
            }
        }
    }

    /// <summary>
    /// Registers (or replaces, by Consumer Key) an application link's Incoming Authentication: what the administrator
    /// typed as Consumer Key and pasted as Public Key (<c>PUBLIC KEY</c> or <c>CERTIFICATE</c> PEM; Bitbucket cannot read
    /// <c>RSA PUBLIC KEY</c>, and neither can the fake: <see cref="BitbucketRsaKeys"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Bitbucket would refuse to save this Public Key.</exception>
    /// <param name="callbackUrl">The optional Consumer Callback URL; used only when a request token was asked for without one.</param>
    public BitbucketOAuth1Consumer RegisterOAuth1Consumer(string consumerKey, string publicKeyPem, string name = "Portal", string? callbackUrl = null)
    {
        // Bitbucket refuses to save a key it cannot read; so does the fake, at registration rather than at the first request.
        using (BitbucketRsaKeys.FromPublicKeyText(publicKeyPem))
        {
        }
        var consumer = new BitbucketOAuth1Consumer(consumerKey, name, publicKeyPem, callbackUrl);
        lock (_oauth)
        {
            _oauth1Consumers[consumerKey] = consumer;
        }
        return consumer;
    }

    /// <summary>The consumer may no longer be granted access by users (its request tokens are refused).</summary>
    public void ForbidUserGrants(string consumerKey)
    {
        lock (_oauth)
        {
            _oauth1Consumers[consumerKey] = _oauth1Consumers[consumerKey] with { UserGrantsAllowed = false };
        }
    }

    /// <summary>The administrator pasted some other public key than the portal showed (the "wrong key" mistake).</summary>
    public BitbucketOAuth1Consumer RegisterOAuth1ConsumerWithWrongKey(string consumerKey, string name = "Portal") =>
        RegisterOAuth1Consumer(consumerKey, OAuth1KeyPair.Generate().PublicKeyPem, name);

    /// <summary>Whether the OAuth filter accepts <paramref name="accessToken"/> right now (signature aside).</summary>
    public bool IsOAuth1AccessTokenActive(string accessToken)
    {
        var now = Clock.GetUtcNow();
        lock (_oauth)
        {
            return _oauth1AccessTokens.TryGetValue(accessToken, out var grant) && grant.ExpiresAt > now;
        }
    }

    partial void MapOAuth1Endpoints(WebApplication app)
    {
        app.Use(OAuth1FilterAsync);
        app.MapPost(OAuth1ServletPath + "/" + OAuth1RequestToken, (Delegate)RequestTokenAsync);
        app.MapPost(OAuth1ServletPath + "/" + OAuth1AccessToken, (Delegate)AccessTokenAsync);
        // The token servlets' GET handler is an empty no-op (TransactionalServlet.doGetInTransaction).
        app.MapGet(OAuth1ServletPath + "/" + OAuth1RequestToken, () => Results.Ok());
        app.MapGet(OAuth1ServletPath + "/" + OAuth1AccessToken, () => Results.Ok());
        app.MapGet(OAuth1ServletPath + "/authorize", AuthorizeOAuth1);
    }

    // ---- OAuth filter: requests signed with an access token --------------------------------------------------------

    /// <summary>
    /// A request whose <c>Authorization: OAuth …</c> carries an active access token and a valid signature is made by the
    /// token's user (<see cref="MarkAuthenticated"/>). A bad signature, timestamp, nonce or token is blocked, not served
    /// anonymously (<c>OAuthFilter.mayProceed</c>): the answer is the problem report of <see cref="OAuth1Answer"/>.
    /// </summary>
    private async Task OAuth1FilterAsync(HttpContext context, RequestDelegate next)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = OAuth1AuthorizationHeader.Parse(header)?.FirstOrDefault(p => p.Key == OAuth1ProtocolParameter.Token).Value;
        if (string.IsNullOrEmpty(token) || context.Request.Path.StartsWithSegments(OAuth1ServletPath, StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var request = await ReadOAuth1RequestAsync(context, OAuth1Resource, bufferBody: true);
        var (user, problem) = AuthenticateOAuth1(request, token);
        if (problem is not null)
        {
            Record(request, problem);
            await OAuth1Answer(context, problem).ExecuteAsync(context);
            return;
        }
        Record(request, 200, null, userId: user?.Id);
        if (user is not null)
        {
            MarkAuthenticated(context, user);
        }
        await next(context);
    }

    private (BitbucketFakeUser? User, OAuth1Outcome? Problem) AuthenticateOAuth1(OAuth1IncomingRequest request, string token)
    {
        OAuth1AccessGrant? grant;
        BitbucketOAuth1Consumer? consumer;
        var now = Clock.GetUtcNow();
        lock (_oauth)
        {
            grant = _oauth1AccessTokens.GetValueOrDefault(token);
            consumer = grant is null ? null : _oauth1Consumers.GetValueOrDefault(grant.ConsumerKey);
        }
        if (grant is null)
        {
            return (null, OAuth1Outcome.Fail("token_rejected"));
        }
        if (grant.ExpiresAt <= now)
        {
            return (null, OAuth1Outcome.Fail("token_expired"));
        }
        if (consumer is null || !string.Equals(OAuth1SignatureVerifier.ConsumerKeyOf(request.Authorization), grant.ConsumerKey, StringComparison.Ordinal))
        {
            return (null, OAuth1Outcome.Fail("consumer_key_unknown"));
        }
        var verification = Verify(request, consumer);
        if (!verification.Succeeded)
        {
            return (null, OAuth1Outcome.Fail(verification));
        }
        lock (_oauth)
        {
            return (_users.GetValueOrDefault(grant.UserId), null);
        }
    }

    // ---- request-token (RequestTokenServlet) -----------------------------------------------------------------------

    private Task<IResult> RequestTokenAsync(HttpContext context) => AnswerOAuth1PostAsync(context, OAuth1RequestToken, IssueRequestToken);

    /// <summary>Reads, answers and records a token request; a retrying proxy (when simulated) sends it twice.</summary>
    private async Task<IResult> AnswerOAuth1PostAsync(HttpContext context, string path, Func<OAuth1IncomingRequest, OAuth1Outcome> issue)
    {
        var request = await ReadOAuth1RequestAsync(context, path, bufferBody: false);
        if (ProxyRetriesOAuth1Posts)
        {
            Record(request, issue(request));
        }
        var outcome = issue(request);
        Record(request, outcome);
        if (path == OAuth1AccessToken && outcome.Problem is null)
        {
            // Before the answer leaves, so the consumer's next request certainly sees the change.
            AfterOAuth1AccessTokenIssued?.Invoke();
        }
        return OAuth1Answer(context, outcome);
    }

    private OAuth1Outcome IssueRequestToken(OAuth1IncomingRequest request)
    {
        var (consumer, unknown) = FindOAuth1Consumer(request);
        if (consumer is null)
        {
            return unknown!;
        }
        var verification = Verify(request, consumer);
        if (!verification.Succeeded)
        {
            return OAuth1Outcome.Fail(verification);
        }
        if (!consumer.UserGrantsAllowed)
        {
            return OAuth1Outcome.Fail("permission_denied");
        }
        var callback = verification[OAuth1ProtocolParameter.Callback];
        if (callback is not null && callback != "oob"
            && !(Uri.TryCreate(callback, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            return OAuth1Outcome.Fail("parameter_rejected",
                KeyValuePair.Create(OAuth1ProtocolParameter.ParametersRejected, OAuth1ProtocolParameter.Callback),
                KeyValuePair.Create(OAuth1ProtocolParameter.ProblemAdvice, "As per OAuth spec version 1.0 Revision A Section 6.1 <http://oauth.net/core/1.0a#auth_step1>, the oauth_callback parameter is required and must be either a valid, absolute URI using the http or https scheme, or 'oob' if the callback has been established out of band. The following invalid URI was supplied '" + callback + "'"));
        }

        var token = ReissuedRequestToken ?? NewOAuth1Value();
        var secret = NewOAuth1Value();
        lock (_oauth)
        {
            _requestTokens[token] = new RequestTokenGrant(consumer.ConsumerKey, callback, Clock.GetUtcNow());
            _oauth1Secrets.Add(token);
            _oauth1Secrets.Add(secret);
        }
        var answer = new List<KeyValuePair<string, string>>
        {
            new(OAuth1ProtocolParameter.Token, token),
            new(OAuth1ProtocolParameter.TokenSecret, secret),
        };
        if (callback is not null)
        {
            // Only a request that sent oauth_callback is OAuth 1.0a; without one, Bitbucket speaks OAuth 1.0.
            answer.Add(new(OAuth1ProtocolParameter.CallbackConfirmed, "true"));
        }
        return OAuth1Outcome.Success(answer);
    }

    // ---- authorize (AuthorizeServlet) ------------------------------------------------------------------------------

    private IResult AuthorizeOAuth1(HttpContext context)
    {
        Interlocked.Increment(ref _oauth1AuthorizeRequests);
        var token = context.Request.Query[OAuth1ProtocolParameter.Token].ToString();
        RequestTokenGrant? grant;
        BitbucketOAuth1Consumer? consumer;
        lock (_oauth)
        {
            grant = _requestTokens.GetValueOrDefault(token);
            consumer = grant is null ? null : _oauth1Consumers.GetValueOrDefault(grant.ConsumerKey);
        }
        if (grant is null || consumer is null || Clock.GetUtcNow() - grant.IssuedAt > RequestTokenLifetime)
        {
            return OAuth1ErrorPage("The request token is invalid or has expired. Go back to the application and try again.");
        }

        var user = SessionUser(context) ?? ConsentingUser;
        if (user is null)
        {
            return Results.Redirect($"{context.Request.PathBase}/login?next={Uri.EscapeDataString(context.Request.Path + context.Request.QueryString)}");
        }
        string verifier;
        lock (_oauth)
        {
            if (DenyConsent)
            {
                grant.Decision = RequestTokenDecision.Denied;
                verifier = OAuth1Callback.DeniedVerifier;
            }
            else
            {
                grant.Decision = RequestTokenDecision.Approved;
                grant.UserId = user.Id;
                grant.Verifier = verifier = NewOAuth1Verifier();
                _oauth1Secrets.Add(verifier);
            }
        }

        var callback = grant.Callback ?? consumer.CallbackUrl;
        if (callback is null or "oob")
        {
            return Results.Content($"""
                <!DOCTYPE html>
                <html><head><title>Access granted - Bitbucket</title></head>
                <body><p>Enter this verification code in {WebUtility.HtmlEncode(consumer.Name)}:</p>
                <p id="oauth-verifier">{WebUtility.HtmlEncode(verifier)}</p></body></html>
                """, "text/html; charset=utf-8", Encoding.UTF8);
        }
        return Results.Redirect(QueryHelpers.AddQueryString(callback, new Dictionary<string, string?>
        {
            [OAuth1ProtocolParameter.Token] = token,
            [OAuth1ProtocolParameter.Verifier] = verifier,
        }));
    }

    private static IResult OAuth1ErrorPage(string message) => Results.Content($"""
        <!DOCTYPE html>
        <html><head><title>OAuth error - Bitbucket</title></head>
        <body><h1>Something went wrong</h1><p id="error-description">{WebUtility.HtmlEncode(message)}</p></body></html>
        """, "text/html; charset=utf-8", Encoding.UTF8, StatusCodes.Status400BadRequest);

    // ---- access-token (AccessTokenServlet) -------------------------------------------------------------------------

    private Task<IResult> AccessTokenAsync(HttpContext context) => AnswerOAuth1PostAsync(context, OAuth1AccessToken, IssueOAuth1AccessToken);

    /// <summary>
    /// RSA-SHA1 ignores the request token's secret, so the signature proves only the consumer; the token must then be a
    /// request token of that consumer, approved by the user, not expired, with the matching verifier (OAuth 1.0a).
    /// </summary>
    private OAuth1Outcome IssueOAuth1AccessToken(OAuth1IncomingRequest request)
    {
        var (consumer, unknown) = FindOAuth1Consumer(request);
        if (consumer is null)
        {
            return unknown!;
        }
        var verification = Verify(request, consumer);
        if (!verification.Succeeded)
        {
            return OAuth1Outcome.Fail(verification);
        }
        var token = verification[OAuth1ProtocolParameter.Token];
        if (string.IsNullOrEmpty(token))
        {
            return OAuth1Outcome.Fail("parameter_absent", KeyValuePair.Create(OAuth1ProtocolParameter.ParametersAbsent, OAuth1ProtocolParameter.Token));
        }

        var now = Clock.GetUtcNow();
        lock (_oauth)
        {
            if (!_requestTokens.TryGetValue(token, out var grant) || !string.Equals(grant.ConsumerKey, consumer.ConsumerKey, StringComparison.Ordinal))
            {
                return OAuth1Outcome.Fail("token_rejected");
            }
            if (now - grant.IssuedAt > RequestTokenLifetime)
            {
                return OAuth1Outcome.Fail("token_expired");
            }
            switch (grant.Decision)
            {
                case RequestTokenDecision.Denied:
                    return OAuth1Outcome.Fail("permission_denied");
                case RequestTokenDecision.None:
                    return OAuth1Outcome.Fail("permission_unknown");
            }
            if (grant.Callback is not null && !FixedTimeEquals(grant.Verifier, verification[OAuth1ProtocolParameter.Verifier]))
            {
                return OAuth1Outcome.Fail("token_rejected");
            }

            // The request token is swapped for the access token: it cannot be used twice.
            _requestTokens.Remove(token);
            var accessToken = NewOAuth1Value();
            var accessSecret = NewOAuth1Value();
            var sessionHandle = NewOAuth1Value();
            if (!IssueTokensThatYieldNoIdentity)
            {
                _oauth1AccessTokens[accessToken] = new OAuth1AccessGrant(consumer.ConsumerKey, grant.UserId!.Value, now + OAuth1AccessTokenLifetime);
            }
            _oauth1Secrets.AddRange([accessToken, accessSecret, sessionHandle]);
            return OAuth1Outcome.Success(
            [
                new(OAuth1ProtocolParameter.Token, accessToken),
                new(OAuth1ProtocolParameter.TokenSecret, accessSecret),
                new(OAuth1ProtocolParameter.ExpiresIn, Seconds(OAuth1AccessTokenLifetime)),
                new(OAuth1ProtocolParameter.SessionHandle, sessionHandle),
                new(OAuth1ProtocolParameter.AuthorizationExpiresIn, Seconds(OAuth1SessionLifetime)),
            ]);
        }
    }

    // ---- Shared ----------------------------------------------------------------------------------------------------

    /// <summary>The consumer named by <c>oauth_consumer_key</c>, or the problem Bitbucket reports when there is none.</summary>
    private (BitbucketOAuth1Consumer? Consumer, OAuth1Outcome? Problem) FindOAuth1Consumer(OAuth1IncomingRequest request)
    {
        var consumerKey = OAuth1SignatureVerifier.ConsumerKeyOf(request.Authorization);
        if (string.IsNullOrEmpty(consumerKey))
        {
            return (null, OAuth1Outcome.Fail("parameter_absent", KeyValuePair.Create(OAuth1ProtocolParameter.ParametersAbsent, OAuth1ProtocolParameter.ConsumerKey)));
        }
        lock (_oauth)
        {
            return _oauth1Consumers.TryGetValue(consumerKey, out var consumer)
                ? (consumer, null)
                : (null, OAuth1Outcome.Fail("consumer_key_unknown"));
        }
    }

    private OAuth1VerificationResult Verify(OAuth1IncomingRequest request, BitbucketOAuth1Consumer consumer)
    {
        using var publicKey = BitbucketRsaKeys.FromPublicKeyText(consumer.PublicKeyPem);
        return _oauth1Verifier.Verify(request.Method, request.Url, request.FormBody, request.Authorization, publicKey, Clock.GetUtcNow());
    }

    /// <summary>
    /// Success: 200 <c>text/plain</c> form. A problem: 401, or 400 for the problems net.oauth maps to 400
    /// (<see cref="OAuth1ProblemStatus"/>), with <c>WWW-Authenticate: OAuth realm="{base URL}", oauth_problem="…"</c> and
    /// the same fields as a form body (net.oauth <c>OAuthServlet.handleException</c>). Either way the <c>Date</c> header
    /// shows the fake's clock, as a real server's shows its own.
    /// </summary>
    private IResult OAuth1Answer(HttpContext context, OAuth1Outcome outcome)
    {
        context.Response.Headers.Date = Clock.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        if (outcome.Problem is null)
        {
            return Results.Text(FormEncode(outcome.Fields), "text/plain", Encoding.UTF8);
        }
        var request = context.Request;
        var realm = $"{request.Scheme}://{request.Host}{request.PathBase}";
        context.Response.Headers.WWWAuthenticate = OAuth1AuthorizationHeader.Format(outcome.Fields, realm);
        return Results.Text(FormEncode(outcome.Fields), "application/x-www-form-urlencoded", Encoding.UTF8, OAuth1ProblemStatus(outcome.Problem));
    }

    /// <summary>net.oauth's <c>OAuth.Problems.TO_HTTP_CODE</c>: malformed requests are 400, every other refusal 401.</summary>
    public static int OAuth1ProblemStatus(string problem) =>
        problem is "timestamp_refused" or "parameter_absent" or "parameter_rejected" or "signature_method_rejected" or "version_rejected"
            ? StatusCodes.Status400BadRequest
            : StatusCodes.Status401Unauthorized;

    private static async Task<OAuth1IncomingRequest> ReadOAuth1RequestAsync(HttpContext context, string endpoint, bool bufferBody)
    {
        var request = context.Request;
        string? formBody = null;
        if (request.HasFormContentType)
        {
            if (bufferBody)
            {
                request.EnableBuffering();
            }
            using var reader = new StreamReader(request.Body, Encoding.UTF8, leaveOpen: bufferBody);
            formBody = await reader.ReadToEndAsync(context.RequestAborted);
            if (bufferBody)
            {
                request.Body.Position = 0;
            }
        }
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
        var authorization = request.Headers.Authorization.ToString();
        return new OAuth1IncomingRequest(endpoint, request.Method, url, authorization.Length == 0 ? null : authorization, formBody, request.ContentType);
    }

    private void Record(OAuth1IncomingRequest request, OAuth1Outcome outcome) =>
        Record(request, outcome.Problem is null ? 200 : OAuth1ProblemStatus(outcome.Problem), outcome.Problem,
            issuedToken: outcome.Problem is null ? outcome[OAuth1ProtocolParameter.Token] : null,
            issuedTokenSecret: outcome.Problem is null ? outcome[OAuth1ProtocolParameter.TokenSecret] : null);

    private void Record(OAuth1IncomingRequest request, int status, string? problem, long? userId = null, string? issuedToken = null, string? issuedTokenSecret = null)
    {
        lock (_oauth)
        {
            _oauth1Requests.Add(new FakeOAuth1Request(request.Endpoint, request.Method, request.Url, request.Authorization, request.FormBody,
                request.ContentType, status, problem, issuedToken, issuedTokenSecret, userId));
        }
    }

    private static string FormEncode(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Join('&', fields.Select(p => $"{OAuth1Encoding.PercentEncode(p.Key)}={OAuth1Encoding.PercentEncode(p.Value)}"));

    private static bool FixedTimeEquals(string? expected, string? actual) =>
        expected is not null && actual is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));

    private static string Seconds(TimeSpan duration) => ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>Tokens and secrets look like Bitbucket's: 32 random alphanumeric characters.</summary>
    private static string NewOAuth1Value() => RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32);

    /// <summary>Verifiers are short: 6 alphanumeric characters.</summary>
    private static string NewOAuth1Verifier() => RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 6);

    private enum RequestTokenDecision
    {
        None,
        Approved,
        Denied,
    }

    /// <summary>A request token; changed under the lock only.</summary>
    private sealed class RequestTokenGrant(string consumerKey, string? callback, DateTimeOffset issuedAt)
    {
        public string ConsumerKey { get; } = consumerKey;
        /// <summary>Null for an OAuth 1.0 request (no <c>oauth_callback</c>): no verifier is required then.</summary>
        public string? Callback { get; } = callback;
        public DateTimeOffset IssuedAt { get; } = issuedAt;
        public RequestTokenDecision Decision { get; set; }
        public long? UserId { get; set; }
        public string? Verifier { get; set; }
    }

    private sealed record OAuth1AccessGrant(string ConsumerKey, long UserId, DateTimeOffset ExpiresAt);

    private sealed record OAuth1IncomingRequest(string Endpoint, string Method, string Url, string? Authorization, string? FormBody, string? ContentType);

    /// <summary>An answer of a token servlet: its form fields, or an <c>oauth_problem</c> with its extra fields.</summary>
    private sealed class OAuth1Outcome
    {
        private OAuth1Outcome(string? problem, IReadOnlyList<KeyValuePair<string, string>> fields)
        {
            Problem = problem;
            Fields = fields;
        }

        public string? Problem { get; }

        /// <summary>The answer's fields; for a problem, <c>oauth_problem</c> first.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Fields { get; }

        public string? this[string name] => Fields.FirstOrDefault(f => f.Key == name).Value;

        public static OAuth1Outcome Success(IReadOnlyList<KeyValuePair<string, string>> fields) => new(null, fields);

        public static OAuth1Outcome Fail(string problem, params KeyValuePair<string, string>[] extra) =>
            new(problem, [new(OAuth1ProtocolParameter.Problem, problem), .. extra]);

        /// <summary>The verifier's problem, minus the base string it adds for debugging (Bitbucket does not send it).</summary>
        public static OAuth1Outcome Fail(OAuth1VerificationResult verification) =>
            Fail(verification.Problem!, [.. verification.ProblemParameters.Where(p => p.Key != "oauth_signature_base_string")]);
    }
}

/// <summary>
/// An application link's Incoming Authentication (OAuth 1) as a Bitbucket administrator fills it: Consumer Key,
/// Consumer Name, Public Key and the optional Consumer Callback URL.
/// </summary>
/// <param name="UserGrantsAllowed">Whether users may grant the consumer access (three-legged OAuth); without it, asking for a request token is refused with <c>permission_denied</c>.</param>
public sealed record BitbucketOAuth1Consumer(string ConsumerKey, string Name, string PublicKeyPem, string? CallbackUrl = null, bool UserGrantsAllowed = true);

/// <summary>
/// An OAuth 1 request the fake received: at <see cref="Endpoint"/> <c>request-token</c>, <c>access-token</c> or
/// <c>resource</c> (any other request signed with a token), exactly as sent, so tests can replay it, and the answer.
/// </summary>
/// <param name="Status">200 for success; 401 or 400 with <see cref="Problem"/>, for resource requests too (they are blocked, never served anonymously).</param>
/// <param name="IssuedToken">The token (request or access) the answer carried.</param>
/// <param name="AuthenticatedUserId">For resource requests: the user the request was made as, or null when anonymous.</param>
public sealed record FakeOAuth1Request(string Endpoint, string Method, string Url, string? Authorization, string? FormBody, string? ContentType,
    int Status, string? Problem, string? IssuedToken, string? IssuedTokenSecret, long? AuthenticatedUserId);
