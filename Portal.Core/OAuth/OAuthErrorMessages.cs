using System.Globalization;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Portal.Core.Platforms;

namespace Portal.Core.OAuth;

/// <summary>OAuth 2 error codes in words that name the cause and the fix on the integration's platform, for administrators.</summary>
public static class OAuthErrorMessages
{
    /// <summary>
    /// An <c>error</c> the browser brought back to the callback (the authorize step). Anyone can send any value, so an
    /// unknown code is not repeated, and the accompanying <c>error_description</c> is never read.
    /// </summary>
    public static (SignInErrorKind Kind, string Message) ForAuthorizeError(string error, PlatformWording words) => error switch
    {
        "access_denied" => (SignInErrorKind.UserDeclined,
            $"The user declined the access request in {words.ServerName} (access_denied), so nobody was signed in. Sign in again and allow the portal access."),
        "invalid_scope" => (SignInErrorKind.IntegrationMisconfigured,
            $"{words.ServerNameAtStart} refused the requested permission, {words.Permission} (invalid_scope). Edit the {words.ApplicationNoun} in {words.ServerName} and select {words.Permission}."),
        "unsupported_response_type" => (SignInErrorKind.IntegrationMisconfigured,
            $"{words.ServerNameAtStart} refused the sign-in request type (unsupported_response_type). Check the {words.ApplicationNoun}'s settings in {words.ApplicationsPlace}: it must be an OAuth 2 application that signs users in."),
        "invalid_request" => (SignInErrorKind.IntegrationMisconfigured,
            $"{words.ServerNameAtStart} refused the sign-in request as incomplete (invalid_request). Check that the {words.ApplicationNoun}'s redirect URL is exactly the Callback URL / Redirect URL the portal shows."),
        "unauthorized_client" => (SignInErrorKind.IntegrationMisconfigured,
            $"{words.ServerNameAtStart} says this {words.ApplicationNoun} may not use sign-in (unauthorized_client). Check its settings in {words.ApplicationsPlace}."),
        "server_error" or "temporarily_unavailable" => (SignInErrorKind.ServerUnavailable,
            $"{words.ServerNameAtStart} had a problem handling the sign-in ({error}). Try again in a moment; if it persists, check {words.ServerLog}."),
        _ => (SignInErrorKind.CallbackInvalid,
            $"The browser came back from {words.ServerName} with an OAuth error the portal does not know, so the sign-in stopped (the value is not shown, because anyone can put one in the link). If this repeats, look at {words.ServerLog} at that time."),
    };

    /// <summary>The OAuth error code of a refused token request: from its JSON body, else from a protocol error.</summary>
    public static string? ErrorCodeOf(TokenResponse response) =>
        response.Json?.TryGetString("error") ?? (response.ErrorType == ResponseErrorType.Protocol ? response.Error : null);

    /// <summary>
    /// What the token endpoint itself says about a refusal: RFC 6749's <c>error_description</c>, or the first message of
    /// the <c>errors</c> list some servers send instead (their own validation errors). Unlike a callback's, this
    /// comes straight from the server the administrator configured, so it may be shown to administrators; cut short, one line.
    /// </summary>
    public static string? ServerExplanation(TokenResponse response)
    {
        if (response.Json is not { ValueKind: JsonValueKind.Object } json)
        {
            return null;
        }
        var text = json.TryGetString("error_description");
        if (string.IsNullOrWhiteSpace(text) && json.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
            && errors.EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } first
            && first.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
        {
            text = message.GetString();
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        // Control, format (bidirectional overrides, zero-width) and line-breaking characters could disguise or split the quote.
        var line = new string(text.Select(c => char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator ? ' ' : c).ToArray()).Trim();
        return line.Length <= MaxExplanation ? line : line[..MaxExplanation] + "…";
    }

    private const int MaxExplanation = 200;

    /// <summary><paramref name="message"/> followed by the server's own words, when it gave any.</summary>
    public static string WithServerExplanation(string message, TokenResponse response, PlatformWording words) =>
        ServerExplanation(response) is { } explanation ? $"{message} {words.ServerNameAtStart} explained: \"{explanation}\"" : message;

    /// <summary>An error from the token endpoint (the token step).</summary>
    public static (SignInErrorKind Kind, string Message) ForTokenError(string? error, int? httpStatus, PlatformWording words) => error switch
    {
        // An outage says so whatever code the body carries: servers and gateways put codes in their 5xx and 429 answers too.
        "server_error" or "temporarily_unavailable" => (SignInErrorKind.ServerUnavailable,
            $"{words.ServerNameAtStart}'s token endpoint had a problem handling the request ({error}, HTTP {Status(httpStatus)}). Try again in a moment; if it persists, check that {words.ServerName} is up and look at {words.ServerLog}."),
        not null when httpStatus >= 500 => (SignInErrorKind.ServerUnavailable,
            $"{words.ServerNameAtStart}'s token endpoint answered HTTP {Status(httpStatus)} ({OAuthErrorCodes.Known(error) ?? "with an error code the portal does not know"}): {words.ServerName} or a proxy in front of it failed. Check that {words.ServerName} is up and look at {words.ServerLog}, then try again."),
        not null when httpStatus == 429 => TooManyTokenRequests(words),
        "invalid_client" => (SignInErrorKind.IntegrationMisconfigured,
            $"{words.ServerNameAtStart} rejected the client secret: copy the {words.ClientIdLabel} and {words.ClientSecretLabel} again from the {words.ApplicationNoun} and update the integration."),
        "invalid_grant" => (SignInErrorKind.CodeRejected,
            $"{words.ServerNameAtStart} refused the sign-in code (invalid_grant): it was already used, it was issued to another {words.ClientIdLabel}, its PKCE check failed, or it was issued for another redirect URL: the redirect URL in the {words.ApplicationNoun} differs from the portal's Callback URL / Redirect URL, or Portal:PublicUrl changed during the sign-in or differs between portal instances. Sign in again; if it keeps failing, compare the two URLs."),
        "invalid_request" => (SignInErrorKind.CodeRejected,
            $"{words.ServerNameAtStart} refused the sign-in code as unknown or expired (invalid_request; codes are valid for a short time only). Sign in again. If it keeps failing, check that no proxy in front of {words.ServerName} drops the body of the portal's POST requests, which also reads as an incomplete request."),
        "unsupported_grant_type" => (SignInErrorKind.IntegrationMisconfigured,
            $"{words.ServerNameAtStart} does not accept this kind of token request (unsupported_grant_type). Check that the {words.ApplicationNoun} uses OAuth 2."),
        null when httpStatus >= 500 => (SignInErrorKind.ServerUnavailable,
            $"{words.ServerNameAtStart}'s token endpoint answered HTTP {Status(httpStatus)} without an OAuth error: {words.ServerName} or a proxy in front of it failed. Check that {words.ServerName} is up and look at {words.ServerLog}, then try again."),
        null when httpStatus == 429 => TooManyTokenRequests(words),
        null when httpStatus == 401 => (SignInErrorKind.IntegrationMisconfigured,
            $"{words.ServerNameAtStart}'s token endpoint answered HTTP 401 without an OAuth error: most likely it did not accept the {words.ClientIdLabel} and {words.ClientSecretLabel}. Copy both again from the {words.ApplicationNoun} and update the integration; if they are right, check that no proxy in front of {words.ServerName} asks for its own sign-in."),
        null => (SignInErrorKind.IntegrationMisconfigured,
            $"{words.ServerNameAtStart}'s token endpoint answered HTTP {Status(httpStatus)} without an OAuth error. Check that the base URL points at {words.ServerName} itself and not at a proxy or login page."),
        _ => (SignInErrorKind.IntegrationMisconfigured,
            $"{words.ServerNameAtStart} refused the token request ({OAuthErrorCodes.Known(error) ?? "with an error code the portal does not know"}). Check the {words.ApplicationNoun} in {words.ApplicationsPlace} and {words.ServerLog}."),
    };

    private static (SignInErrorKind, string) TooManyTokenRequests(PlatformWording words) => (SignInErrorKind.ServerUnavailable,
        $"{words.ServerNameAtStart}'s token endpoint answered HTTP 429 (too many requests): {words.ServerName}, or a proxy in front of it, limits how often one address may ask for tokens, and every sign-in's token request comes from the portal's address. Wait a minute and try again; if it keeps happening, exempt the portal's address from that rate limit or raise it (in {words.ServerName}'s settings or the proxy's).");

    /// <summary>
    /// Whether the token endpoint answered, but not with a JSON object: a proxy's or login page's HTML, or JSON such as
    /// <c>null</c>. Such an answer carries no OAuth error, and the response's accessors throw on JSON that is not an object.
    /// </summary>
    public static bool AnsweredWithoutOAuthJson(TokenResponse response) =>
        response.HttpResponse is not null && response.Json is not { ValueKind: JsonValueKind.Object };

    /// <summary>The token endpoint did not answer within the portal's time limit for one call.</summary>
    public static string TokenRequestTimedOut(string baseUrl, TimeSpan limit, PlatformWording words, string purpose) =>
        $"{words.ServerNameAtStart} at {baseUrl} did not answer the token request within {limit.TotalSeconds:0} seconds, so the portal could not {purpose}. " +
        $"Try again in a moment; if it persists, check that {words.ServerName} is up and that no proxy between the portal and {words.ServerName} holds the request.";

    private static string Status(int? httpStatus) => httpStatus?.ToString(CultureInfo.InvariantCulture) ?? "?";
}
