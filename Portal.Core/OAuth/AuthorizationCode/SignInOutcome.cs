using Portal.Core.Accounts;
using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Core.OAuth.AuthorizationCode;

/// <summary>Why a sign-in did not complete. Each kind has its own message for the user.</summary>
public enum SignInErrorKind
{
    IntegrationUnavailable,
    StateMissing,
    StateUnknown,
    StateFromAnotherBrowser,
    StateExpired,
    StateReplayed,
    ProviderError,
    TokenRejected,
    TokenEndpointUnreachable,
    IdentityUnavailable,
}

/// <summary>The browser is sent to <see cref="AuthorizeUrl"/> carrying a correlation cookie with <see cref="Correlation"/>.</summary>
public sealed record AuthorizationStart(string AuthorizeUrl, string Correlation, DateTimeOffset ExpiresAt);

/// <param name="IntegrationName">The integration's name when it exists, so a failed verification can say which one failed.</param>
/// <param name="Refusal">Set when a verification was refused because its actor may not administer the portal (any more).</param>
public sealed record PrepareResult(AuthorizationStart? Start, string? Error, string? IntegrationName = null, Authorization.AccessRefusal? Refusal = null)
{
    public bool Succeeded => Start is not null;
}

/// <summary>What the callback receives from Bitbucket: OAuth 2 sends state and code (or an error), OAuth 1 the token and verifier.</summary>
public sealed record CallbackParameters(string? State, string? Code, string? Error, string? ErrorDescription, string? OAuthToken = null, string? OAuthVerifier = null);

/// <summary>Tokens from a protocol's exchange, and how to sign the identity requests with them; or why there are none.</summary>
public sealed record TokenExchange(Accounts.TokenSet? Tokens, Func<HttpRequestMessage, Task>? Authorize, SignInErrorKind? ErrorKind, string? Message)
{
    public bool Succeeded => Tokens is not null;

    public static TokenExchange Failed(SignInErrorKind kind, string message) => new(null, null, kind, message);
}

/// <summary>The portal user a sign-in resolved to, and the session it started.</summary>
/// <param name="BecameFirstAdministrator">The sign-in ended Setup Mode and made this person an administrator.</param>
/// <param name="EndedSetupMode">The sign-in ended Setup Mode (the person may have been an administrator already).</param>
public sealed record SignedInUser(Guid UserId, string DisplayName, bool IsAdministrator, bool BecameFirstAdministrator, bool EndedSetupMode = false, Guid SessionId = default);

/// <summary>The result of a callback: who signed in (or who Bitbucket said it was, for a verification), or why not.</summary>
public sealed record SignInOutcome
{
    public bool Succeeded => ErrorKind is null;
    public SignInErrorKind? ErrorKind { get; init; }
    public SignInStep? FailedStep { get; init; }
    public string? Message { get; init; }
    public Guid? IntegrationId { get; init; }
    public string? IntegrationName { get; init; }
    public AuthorizationPurpose Purpose { get; init; }
    public string ReturnUrl { get; init; } = "/";
    public BitbucketUser? Identity { get; init; }
    /// <summary>Set for sign-ins; a verification leaves accounts alone.</summary>
    public SignedInUser? User { get; init; }

    public static SignInOutcome Failure(SignInErrorKind kind, SignInStep step, string message, PendingAuthorization? pending = null, string? integrationName = null) => new()
    {
        ErrorKind = kind,
        FailedStep = step,
        Message = message,
        IntegrationId = pending?.IntegrationId,
        IntegrationName = integrationName,
        Purpose = pending?.Purpose ?? AuthorizationPurpose.SignIn,
        ReturnUrl = pending?.ReturnUrl ?? "/",
    };
}
