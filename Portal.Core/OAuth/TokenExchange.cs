using Portal.Core.Accounts;
using Portal.Core.Platforms;

namespace Portal.Core.OAuth;

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
