using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// Turns OAuth 1.0a failures into <see cref="OAuth1Error"/> values whose messages name the cause and the fix. Bitbucket's
/// problem names come from its OAuth provider (net.oauth problem reporting).
/// </summary>
public static class OAuth1Errors
{
    /// <summary>Bitbucket's allowed clock difference (its validator's 300 000 ms window).</summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);

    private const string IncomingAuthenticationPath =
        "Bitbucket > Administration > Application Links, edit the portal's link, Incoming Authentication";

    /// <summary>
    /// What <paramref name="error"/> means when Bitbucket answered the request-token step with it: there,
    /// <c>permission_denied</c> cannot be a user's choice, since nobody has seen Bitbucket's page yet.
    /// </summary>
    public static OAuth1Error AtRequestToken(OAuth1Error error, string consumerKey) =>
        error.Kind != OAuth1ErrorKind.PermissionDenied ? error : error with
        {
            Kind = OAuth1ErrorKind.UserGrantsNotAllowed,
            Message = $"Bitbucket refused to start a sign-in for Consumer Key \"{consumerKey}\" (oauth_problem=permission_denied when asked " +
                "for a request token, before anyone saw its authorization page): the application link does not let users grant " +
                $"this consumer access. Fix: in {IncomingAuthenticationPath}, check that the link with Consumer Key \"{consumerKey}\" " +
                "is the portal's Generic Application link; remove its Incoming Authentication and add it again with the Consumer " +
                "Key and public key this integration shows.",
        };

    /// <summary>Maps a reported <c>oauth_problem</c> to an error.</summary>
    /// <param name="problem">The report.</param>
    /// <param name="consumerKey">The Consumer Key the request used (not a secret; shown so the admin can compare).</param>
    /// <param name="portalClock">The portal's clock when the answer arrived.</param>
    /// <param name="serverDate">Bitbucket's clock from the answer's HTTP <c>Date</c> header, if present.</param>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    public static OAuth1Error FromProblem(
        OAuth1Problem problem, string consumerKey, DateTimeOffset portalClock, DateTimeOffset? serverDate, int? statusCode = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var advice = string.IsNullOrWhiteSpace(problem.Advice) ? "" : $" Bitbucket's advice: \"{problem.Advice.Trim()}\"";
        var error = problem.Name switch
        {
            "timestamp_refused" => TimestampRefused(problem, portalClock, serverDate),
            "signature_invalid" => new OAuth1Error(OAuth1ErrorKind.SignatureInvalid,
                "Bitbucket could not verify the request's RSA-SHA1 signature (oauth_problem=signature_invalid): the public key " +
                "pasted in the application link's Incoming Authentication does not match this integration's key. " +
                $"Fix: in {IncomingAuthenticationPath}, paste this integration's public key again, the whole text from " +
                "-----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----. If the key is right, make sure the integration's base " +
                "URL is exactly the URL Bitbucket is configured with (scheme, host, port, context path), because the " +
                "signature covers the URL."),
            "consumer_key_unknown" => new OAuth1Error(OAuth1ErrorKind.ConsumerKeyUnknown,
                $"Bitbucket does not know the Consumer Key \"{consumerKey}\" (oauth_problem=consumer_key_unknown): no " +
                "application link has this Consumer Key in its Incoming Authentication. " +
                $"Fix: in {IncomingAuthenticationPath}, enter Consumer Key \"{consumerKey}\" exactly as the portal shows " +
                "it and save; if the link was deleted, create it again."),
            "permission_denied" => new OAuth1Error(OAuth1ErrorKind.PermissionDenied,
                "Bitbucket denied access (oauth_problem=permission_denied): either the user declined access on Bitbucket's " +
                "authorization page, or the application link does not allow users to grant access through it. " +
                "Fix: sign in again and choose Allow; if it happens again, check the link's Incoming Authentication in " +
                "Bitbucket > Administration > Application Links."),
            "permission_unknown" => new OAuth1Error(OAuth1ErrorKind.PermissionUnknown,
                "Bitbucket has no decision from the user yet (oauth_problem=permission_unknown): the token was exchanged " +
                "before access was allowed on Bitbucket's authorization page. Fix: sign in again and choose Allow on " +
                "Bitbucket's page."),
            "token_rejected" => new OAuth1Error(OAuth1ErrorKind.TokenRejected,
                "Bitbucket rejected the OAuth token (oauth_problem=token_rejected): it is unknown to Bitbucket, was already " +
                "used, was revoked, belongs to another Consumer Key, or the verifier does not match it. Fix: sign in again; " +
                "if it keeps failing, make sure no other portal installation uses the same Consumer Key."),
            "token_revoked" => new OAuth1Error(OAuth1ErrorKind.TokenRejected,
                "Bitbucket reports the access token as revoked (oauth_problem=token_revoked): the user or an administrator " +
                "revoked the portal's access in Bitbucket. Fix: sign in again to grant access anew."),
            "token_expired" => new OAuth1Error(OAuth1ErrorKind.TokenExpired,
                "The OAuth token has expired (oauth_problem=token_expired): Bitbucket keeps a request token for only 10 " +
                "minutes, so the sign-in took too long. Fix: sign in again and finish within 10 minutes."),
            "nonce_used" => new OAuth1Error(OAuth1ErrorKind.NonceUsed,
                "Bitbucket has already seen this request's nonce (oauth_problem=nonce_used): the same signed request reached " +
                "it twice, for example because a proxy or HTTP handler retried it. Fix: try again; if it repeats, turn off " +
                "automatic retries of POST requests between the portal and Bitbucket."),
            "signature_method_rejected" => new OAuth1Error(OAuth1ErrorKind.SignatureMethodRejected,
                "Bitbucket accepts only RSA-SHA1 signatures and refused this one (oauth_problem=signature_method_rejected). " +
                "The portal always signs with RSA-SHA1, so something between the portal and Bitbucket changed the request, " +
                "or the base URL points to a server that is not Bitbucket. Fix: check the base URL and any proxy in between."),
            "parameter_rejected" or "parameter_absent" => ParameterProblem(problem, advice),
            _ => new OAuth1Error(OAuth1ErrorKind.OtherProblem,
                $"Bitbucket refused the OAuth request (oauth_problem={problem.Name}).{advice} Fix: check the application " +
                "link's Incoming Authentication in Bitbucket > Administration > Application Links and Bitbucket's log " +
                "(atlassian-bitbucket.log), then try again."),
        };
        return error with { Problem = problem.Name, StatusCode = statusCode };
    }

    /// <summary>
    /// Maps an <c>oauth_problem</c> Bitbucket reported for a request signed with the access token (the identity lookup
    /// after the token steps). Bitbucket blocks such a request instead of serving it anonymously. Problems with the token
    /// itself get their own wording, since the token steps' messages speak of the request token.
    /// </summary>
    /// <inheritdoc cref="FromProblem" path="/param"/>
    public static OAuth1Error FromResourceProblem(
        OAuth1Problem problem, string consumerKey, DateTimeOffset portalClock, DateTimeOffset? serverDate, int? statusCode = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        const string Asked = "When the portal asked who signed in, with a request signed with the access token Bitbucket had just issued, ";
        if (problem.Name is not ("token_rejected" or "token_revoked" or "token_expired"))
        {
            var mapped = FromProblem(problem, consumerKey, portalClock, serverDate, statusCode);
            return mapped with { Message = Asked + "Bitbucket refused the request. " + mapped.Message };
        }

        var error = problem.Name == "token_expired"
            ? new OAuth1Error(OAuth1ErrorKind.TokenExpired,
                $"{Asked}Bitbucket reported that token as expired (oauth_problem=token_expired), although access tokens live 5 years by " +
                "default: Bitbucket's atlassian.oauth.default.access.token.ttl setting is probably set very short, or its clock jumped. " +
                "Fix: check that setting and Bitbucket's clock, then sign in again.")
            : new OAuth1Error(OAuth1ErrorKind.TokenRejected,
                $"{Asked}Bitbucket refused that token (oauth_problem={problem.Name}): it does not know it, or it was revoked right " +
                "away. A proxy or load balancer that sends the token steps and later requests to different Bitbucket installations " +
                "causes this. Fix: sign in again; if it keeps failing, make sure the base URL leads to one Bitbucket installation " +
                "for every request.");
        return error with { Problem = problem.Name, StatusCode = statusCode };
    }

    /// <summary>The user chose Deny on Bitbucket's authorization page (<c>oauth_verifier=denied</c>).</summary>
    public static OAuth1Error UserDeclined() => new(OAuth1ErrorKind.UserDeclined,
        "You declined access on Bitbucket's authorization page, so the portal cannot sign you in. Fix: sign in again and " +
        "choose Allow; the portal only reads who you are.");

    /// <summary>The callback's <c>oauth_token</c> is not the request token of this browser's sign-in.</summary>
    public static OAuth1Error CallbackTokenMismatch() => new(OAuth1ErrorKind.CallbackInvalid,
        "The answer from Bitbucket does not belong to the sign-in this browser started (its oauth_token differs), for " +
        "example because an old link or another browser tab was used. Fix: start the sign-in again from the portal.");

    /// <summary>The callback has no <c>oauth_verifier</c>, so the token cannot be exchanged (OAuth 1.0a needs it).</summary>
    public static OAuth1Error CallbackWithoutVerifier() => new(OAuth1ErrorKind.CallbackInvalid,
        "Bitbucket sent the browser back without an oauth_verifier, so the sign-in cannot be completed: the address was " +
        "cut short or edited on the way (a proxy or link rewriter in front of the portal), or the server speaks only OAuth " +
        "1.0, without verifiers. Fix: start the sign-in again; if it repeats, check that whatever stands in front of the " +
        "portal passes the Callback URL's query string unchanged.");

    /// <summary>Bitbucket answered with a non-success status that carries no <c>oauth_problem</c>.</summary>
    public static OAuth1Error UnexpectedStatus(Uri? url, HttpStatusCode status, Uri? redirectLocation = null)
    {
        var code = (int)status;
        var at = $"Bitbucket answered {code} {status}{(url is null ? "" : $" at {url.AbsolutePath}")}";
        var message = code switch
        {
            404 => $"{at}: is the context path (for example /bitbucket) part of the base URL? Fix: correct the base URL so " +
                   "that it opens Bitbucket's start page.",
            >= 300 and < 400 => $"{at} with a redirect{(redirectLocation is null ? "" : $" to {redirectLocation}")}: the base " +
                   "URL is not the address Bitbucket serves (for example http instead of https). Fix: use the address it " +
                   "redirects to as the base URL.",
            401 or 403 => $"{at} without saying which OAuth check failed: a proxy or an authentication plugin in front of " +
                   "Bitbucket may block OAuth requests. Fix: check the proxy, and if the \"2FA for Bitbucket: U2F & TOTP\" " +
                   "app is installed, turn on its \"Enable OAuth whitelist\" setting.",
            >= 500 => $"{at}: Bitbucket or a proxy in front of it failed. Fix: check that Bitbucket is up and look at its " +
                   "log (atlassian-bitbucket.log), then try again.",
            _ => $"{at} instead of an OAuth answer. Fix: check that the base URL points to Bitbucket itself.",
        };
        return new OAuth1Error(OAuth1ErrorKind.UnexpectedResponse, message) { StatusCode = code };
    }

    /// <summary>A success answer that lacks the fields OAuth requires (for example a login page served by a proxy).</summary>
    public static OAuth1Error MalformedAnswer(Uri url, int statusCode, string? contentType)
    {
        ArgumentNullException.ThrowIfNull(url);
        var type = string.IsNullOrEmpty(contentType) ? "no content type" : contentType;
        return new OAuth1Error(OAuth1ErrorKind.UnexpectedResponse,
            $"Bitbucket's answer at {url.AbsolutePath} ({statusCode}, {type}) has no oauth_token and oauth_token_secret: " +
            "the base URL may lead to a proxy, a login page or a redirect (for example http to https) instead of Bitbucket. " +
            "Fix: check that the base URL opens Bitbucket itself, with the scheme Bitbucket uses.")
        { StatusCode = statusCode };
    }

    /// <summary>
    /// Maps a failure to reach Bitbucket (DNS, refused connection, timeout, TLS) to an error; null for exceptions that are
    /// not network failures, and for cancellation the caller asked for.
    /// </summary>
    public static OAuth1Error? FromException(Exception exception, Uri url, CancellationToken callerToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(url);
        var host = url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port.ToString(CultureInfo.InvariantCulture)}";
        if (exception is OperationCanceledException)
        {
            return callerToken.IsCancellationRequested ? null : Network(
                $"Bitbucket at {host} did not answer in time ({url.AbsolutePath}). Fix: check that Bitbucket is running and " +
                "not overloaded, and that no firewall silently drops the portal's connections.");
        }

        if (exception is CryptographicException)
        {
            return new OAuth1Error(OAuth1ErrorKind.SigningRefusedByHost,
                "The portal's server refused to sign the request with RSA-SHA1, the only signature Bitbucket's OAuth 1 accepts: " +
                "its cryptography policy forbids SHA-1 signatures (the default on RHEL 9 and its rebuilds, and in FIPS mode). " +
                "Fix: allow SHA-1 signatures for the portal (on RHEL 9: update-crypto-policies --set DEFAULT:SHA1, then restart " +
                "the portal), or upgrade Bitbucket to 7.21 or later and use OAuth 2.");
        }

        if (exception is not HttpRequestException http)
        {
            return null;
        }

        if (Security.LinkLocalAddressRefusedException.FindIn(http) is { } refused)
        {
            return Network(refused.Message);
        }

        if (Connections.ServerCertificateFailure.Describe(http, url, "Bitbucket") is { } certificate)
        {
            return Network(certificate);
        }

        if (http.HttpRequestError == HttpRequestError.NameResolutionError || Socket(http) == SocketError.HostNotFound)
        {
            return Network($"The portal could not resolve the host name \"{url.Host}\" (DNS). Fix: check the base URL's " +
                           "spelling and that the portal's server can resolve that name.");
        }

        if (http.HttpRequestError == HttpRequestError.SecureConnectionError || Has<AuthenticationException>(http))
        {
            return Network($"The TLS connection to {host} failed: the certificate is not trusted by the portal's server " +
                           "(self-signed or issued by an internal CA), has expired, or does not match the host name. Fix: " +
                           "add the issuing CA certificate to the portal server's trusted certificates, or correct the base URL.");
        }

        if (http.HttpRequestError == HttpRequestError.ConnectionError || Socket(http) is not null)
        {
            return Network($"The portal could not connect to {host}: the connection was refused or the host is " +
                           "unreachable. Fix: check that Bitbucket is running, that the port in the base URL is right, and " +
                           "that no firewall blocks the portal.");
        }

        return Network($"The request to {host}{url.AbsolutePath} failed before Bitbucket answered ({http.Message}). Fix: " +
                       "check the network path and any proxy between the portal and Bitbucket.");
    }

    private static OAuth1Error Network(string message) => new(OAuth1ErrorKind.NetworkFailure, message);

    private static OAuth1Error TimestampRefused(OAuth1Problem problem, DateTimeOffset portalClock, DateTimeOffset? serverDate)
    {
        // The timestamps Bitbucket accepts come from the check that refused the request, on Bitbucket's own clock; the Date
        // header may be a proxy's (nginx sets its own), so it counts only when those are missing.
        var accepted = ClockFromAcceptableTimestamps(problem[OAuth1ProtocolParameter.AcceptableTimestamps]);
        var serverClock = accepted ?? serverDate;
        var source = accepted is null ? "from its Date header" : "from the timestamps it accepts";
        string clocks;
        if (serverClock is { } server)
        {
            // Both clocks are shown to the second, so the difference is taken between the shown values and agrees with them.
            var difference = WholeSeconds(server) - WholeSeconds(portalClock);
            var ahead = difference >= TimeSpan.Zero ? "Bitbucket's clock is ahead" : "the portal's clock is ahead";
            clocks = $"Portal clock: {Format(portalClock)}. Bitbucket clock: {Format(server)} ({source}). " +
                     $"Difference: {Describe(difference)} ({ahead}); Bitbucket allows {Describe(AllowedClockSkew)}.";
            if (accepted is { } range && serverDate is { } date && (date - range).Duration() > ProxyDateTolerance)
            {
                clocks += $" The answer's Date header says {Format(date)}: a proxy in front of Bitbucket sets its own, so check the clock of Bitbucket's own server.";
            }
        }
        else
        {
            clocks = $"Portal clock: {Format(portalClock)}. Bitbucket clock: unknown (its answer had no Date header). " +
                     $"Bitbucket allows a difference of {Describe(AllowedClockSkew)}.";
        }

        return new OAuth1Error(OAuth1ErrorKind.TimestampRefused,
            "Bitbucket refused the request's timestamp (oauth_problem=timestamp_refused): the clocks of the portal's server " +
            $"and Bitbucket's server differ by more than {Describe(AllowedClockSkew)} (clock skew). {clocks} Fix: synchronise both " +
            "servers' clocks with NTP (for example chrony, systemd-timesyncd or w32time) and try again.")
        {
            PortalClock = portalClock,
            ServerClock = serverClock,
        };
    }

    private static OAuth1Error ParameterProblem(OAuth1Problem problem, string advice)
    {
        var names = problem[OAuth1ProtocolParameter.ParametersRejected] ?? problem[OAuth1ProtocolParameter.ParametersAbsent];
        var which = string.IsNullOrWhiteSpace(names) ? "a protocol parameter" : names;
        var fix = which.Contains(OAuth1ProtocolParameter.Callback, StringComparison.Ordinal) || string.IsNullOrWhiteSpace(names)
            ? " Fix: the callback URL is built from the portal's configured public URL; it must be an absolute http(s) URL, " +
              "so check that setting."
            : " Fix: check the base URL and any proxy that might change the request.";
        return new OAuth1Error(OAuth1ErrorKind.ParameterRejected,
            $"Bitbucket rejected {which} (oauth_problem={problem.Name}).{advice}{fix}");
    }

    private static readonly TimeSpan ProxyDateTolerance = TimeSpan.FromSeconds(30);

    private static DateTimeOffset? ClockFromAcceptableTimestamps(string? range)
    {
        // net.oauth reports "min-max" in seconds, centred on the server's own clock.
        var parts = range?.Split('-');
        if (parts is not { Length: 2 }
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max))
        {
            return null;
        }

        return DateTimeOffset.FromUnixTimeSeconds(min + ((max - min) / 2));
    }

    private static SocketError? Socket(Exception exception) =>
        exception.InnerException switch
        {
            SocketException socket => socket.SocketErrorCode,
            { } inner => Socket(inner),
            null => null,
        };

    private static bool Has<T>(Exception exception)
        where T : Exception =>
        exception is T || (exception.InnerException is { } inner && Has<T>(inner));

    private static DateTimeOffset WholeSeconds(DateTimeOffset time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);

    private static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A duration as its two largest units, such as "7 min 30 s" or "2 h 5 min".</summary>
    internal static string Describe(TimeSpan duration)
    {
        duration = duration.Duration();
        var parts = new List<string>(4);
        if (duration.Days > 0)
        {
            parts.Add($"{duration.Days} d");
        }

        if (duration.Hours > 0)
        {
            parts.Add($"{duration.Hours} h");
        }

        if (duration.Minutes > 0)
        {
            parts.Add($"{duration.Minutes} min");
        }

        if (duration.Seconds > 0 || parts.Count == 0)
        {
            parts.Add($"{duration.Seconds} s");
        }

        return string.Join(' ', parts.Take(2));
    }
}
