using Portal.Core.Accounts;
using Portal.Core.Platforms;

namespace Portal.Core.OAuth;

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
    /// <summary>The user chose Deny on the server's page.</summary>
    UserDeclined,
    /// <summary>The server has no permission from the user (OAuth 1 permission_denied or permission_unknown).</summary>
    AccessNotGranted,
    /// <summary>The browser came back without what the sign-in needs (code, verifier, its own token) or with an unknown error.</summary>
    CallbackInvalid,
    /// <summary>The server refused the one-time code or token: expired, already used, or issued for another redirect URL.</summary>
    CodeRejected,
    /// <summary>The link between the portal and the server is set up wrongly: secret, key, Consumer Key, scope, redirect, proxy.</summary>
    IntegrationMisconfigured,
    /// <summary>OAuth 1 timestamp_refused: the two servers' clocks differ too much.</summary>
    ClockSkew,
    /// <summary>The server answered, but with its own failure (server_error, temporarily_unavailable, HTTP 5xx).</summary>
    ServerUnavailable,
    /// <summary>The portal could not reach the server (DNS, connection, timeout, TLS, a refused link-local address).</summary>
    ServerUnreachable,
    /// <summary>The server issued a token, but the portal could not find out whose it is.</summary>
    IdentityUnavailable,
    /// <summary>The server refuses the account itself until the person acts there (terms, expired password, unconfirmed e-mail) or it is blocked.</summary>
    AccountRefused,
}
