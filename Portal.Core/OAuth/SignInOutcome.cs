using Portal.Core.Accounts;
using Portal.Core.Platforms;

namespace Portal.Core.OAuth;

/// <summary>
/// The result of a callback: who signed in (or who the server said it was, for a verification), or why not. A failure
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
    public string? PublicMessage => ErrorKind is { } kind ? SignInFailureMessages.PublicMessage(kind, ServerName) : null;

    /// <summary>How the messages name the integration's server (its platform's word for it).</summary>
    public string ServerName { get; init; } = PlatformWording.Generic.ServerName;

    /// <summary>The OAuth error code behind the failure, only when it is one the portal knows.</summary>
    public string? ErrorCode { get; init; }

    public Guid? IntegrationId { get; init; }
    public string? IntegrationName { get; init; }
    public AuthorizationPurpose Purpose { get; init; }
    public string ReturnUrl { get; init; } = "/";
    public ExternalUser? Identity { get; init; }
    /// <summary>Set for a verification of pending new credentials (<see cref="Integrations.CredentialReplacement"/>); null otherwise.</summary>
    public Integrations.CredentialKind? Replacement { get; init; }
    /// <summary>Set for sign-ins; a verification leaves accounts alone.</summary>
    public SignedInUser? User { get; init; }

    /// <summary>The value of the browser's correlation cookie for the sign-in this callback ended, when it held it: that
    /// cookie has done its work, while the browser's other sign-ins in flight (other tabs) still need theirs.</summary>
    public string? Correlation { get; init; }

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
