using Portal.Core.Accounts;
using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Core.OAuth.AuthorizationCode;

/// <summary>
/// Why a sign-in did not complete, in the terms a person signing in understands. Each kind has one message for the
/// sign-in page (<see cref="SignInFailureMessages.PublicMessage"/>); the detail for administrators travels beside it.
/// </summary>
public enum SignInErrorKind
{
    /// <summary>The integration does not exist or is disabled.</summary>
    IntegrationUnavailable,
    StateMissing,
    StateUnknown,
    StateFromAnotherBrowser,
    StateExpired,
    StateReplayed,
    /// <summary>The user chose Deny on Bitbucket's page.</summary>
    UserDeclined,
    /// <summary>Bitbucket has no permission from the user (OAuth 1 permission_denied or permission_unknown).</summary>
    AccessNotGranted,
    /// <summary>The browser came back without what the sign-in needs (code, verifier, its own token) or with an unknown error.</summary>
    CallbackInvalid,
    /// <summary>Bitbucket refused the one-time code or token: expired, already used, or issued for another redirect URL.</summary>
    CodeRejected,
    /// <summary>The link between the portal and Bitbucket is set up wrongly: secret, key, Consumer Key, scope, redirect, proxy.</summary>
    IntegrationMisconfigured,
    /// <summary>OAuth 1 timestamp_refused: the two servers' clocks differ too much.</summary>
    ClockSkew,
    /// <summary>Bitbucket answered, but with its own failure (server_error, temporarily_unavailable, HTTP 5xx).</summary>
    BitbucketUnavailable,
    /// <summary>The portal could not reach Bitbucket (DNS, connection, timeout, TLS, a refused link-local address).</summary>
    BitbucketUnreachable,
    /// <summary>Bitbucket issued a token, but the portal could not find out whose it is.</summary>
    IdentityUnavailable,
}

/// <summary>The browser is sent to <see cref="AuthorizeUrl"/> carrying a correlation cookie with <see cref="Correlation"/>.</summary>
/// <param name="PendingId">The stored pending authorization, which the callback consumes.</param>
public sealed record AuthorizationStart(string AuthorizeUrl, string Correlation, DateTimeOffset ExpiresAt, Guid PendingId);

/// <summary>
/// Where to send the browser, or why the sign-in cannot start: OAuth 1 asks Bitbucket for a request token first, and a
/// verification is refused when its actor may not administer the portal (any more).
/// </summary>
public sealed record PrepareResult(AuthorizationStart? Start, SignInOutcome? Failure, Authorization.AccessRefusal? Refusal = null)
{
    public bool Succeeded => Start is not null;

    /// <summary>The integration's name when it exists, so a failed verification can say which one failed.</summary>
    public string? IntegrationName => Failure?.IntegrationName;

    /// <inheritdoc cref="SignInOutcome.PublicMessage"/>
    public string? PublicMessage => Failure?.PublicMessage ?? Refusal?.Message;

    /// <inheritdoc cref="SignInOutcome.AdministratorMessage"/>
    public string? AdministratorMessage => Failure?.AdministratorMessage ?? Refusal?.Message;
}

/// <summary>What the callback receives from Bitbucket: OAuth 2 sends state and code (or an error), OAuth 1 the token and verifier.</summary>
/// <remarks>Anyone can call the callback with any values: none of them is ever shown or stored as sent.</remarks>
public sealed record CallbackParameters(string? State, string? Code, string? Error, string? ErrorDescription, string? OAuthToken = null, string? OAuthVerifier = null);

/// <summary>Tokens from a protocol's exchange, and how to sign the identity requests with them; or why there are none.</summary>
/// <param name="FailedStep">The step that failed: the authorize step (the browser's answer) or the token step.</param>
/// <param name="Message">The detail for administrators.</param>
/// <param name="ErrorCode">The OAuth error code behind the failure, when it is one the portal knows (<see cref="OAuthErrorCodes"/>).</param>
public sealed record TokenExchange(Accounts.TokenSet? Tokens, Func<HttpRequestMessage, Task>? Authorize, SignInErrorKind? ErrorKind, string? Message,
    SignInStep? FailedStep = null, string? ErrorCode = null)
{
    public bool Succeeded => Tokens is not null;

    public static TokenExchange Failed(SignInErrorKind kind, SignInStep step, string message, string? errorCode = null) =>
        new(null, null, kind, message, step, OAuthErrorCodes.Known(errorCode));
}

/// <summary>
/// The result of a callback: who signed in (or who Bitbucket said it was, for a verification), or why not. A failure
/// has two messages for two audiences: <see cref="PublicMessage"/> for whoever is signing in (no internal detail), and
/// <see cref="AdministratorMessage"/> for administrators (Verify, the Status page), which may name hosts, ports,
/// clocks and keys. Neither ever contains text the caller sent.
/// </summary>
public sealed record SignInOutcome
{
    public bool Succeeded => ErrorKind is null;
    public SignInErrorKind? ErrorKind { get; init; }
    public SignInStep? FailedStep { get; init; }

    /// <summary>The cause and the fix in full, for administrators; the portal's own words, never the caller's.</summary>
    public string? AdministratorMessage { get; init; }

    /// <summary>The cause in the user's terms and what to do, derived from <see cref="ErrorKind"/>: safe for anonymous pages.</summary>
    public string? PublicMessage => ErrorKind is { } kind ? SignInFailureMessages.PublicMessage(kind) : null;

    /// <summary>The OAuth error code behind the failure, only when it is one the portal knows.</summary>
    public string? ErrorCode { get; init; }

    public Guid? IntegrationId { get; init; }
    public string? IntegrationName { get; init; }
    public AuthorizationPurpose Purpose { get; init; }
    public string ReturnUrl { get; init; } = "/";
    public BitbucketUser? Identity { get; init; }
    /// <summary>Set for a verification of pending new credentials (<see cref="Integrations.CredentialReplacement"/>); null otherwise.</summary>
    public Integrations.CredentialKind? Replacement { get; init; }
    /// <summary>Set for sign-ins; a verification leaves accounts alone.</summary>
    public SignedInUser? User { get; init; }

    public static SignInOutcome Failure(SignInErrorKind kind, SignInStep step, string administratorMessage, PendingAuthorization? pending = null,
        string? integrationName = null, string? errorCode = null) => new()
    {
        ErrorKind = kind,
        FailedStep = step,
        AdministratorMessage = administratorMessage,
        ErrorCode = OAuthErrorCodes.Known(errorCode),
        IntegrationId = pending?.IntegrationId,
        IntegrationName = integrationName,
        Purpose = pending?.Purpose ?? AuthorizationPurpose.SignIn,
        ReturnUrl = pending?.ReturnUrl ?? "/",
    };
}
