using Portal.Core.Integrations;
using Portal.Core.Platforms;

namespace Portal.Core.OAuth;

/// <summary>
/// One OAuth version's part of a sign-in (<see cref="SignInService"/> runs the rest the same way for every protocol):
/// where to send the browser, then the tokens from what the browser brought back.
/// </summary>
public interface ISignInProtocol
{
    OAuthVersion Version { get; }

    /// <summary>
    /// Where to send the browser, the value the callback will echo (to find the pending authorization) and the secret
    /// to keep until then, encrypted; or why the sign-in cannot start.
    /// </summary>
    Task<SignInStart> StartAsync(Integration integration, IPlatform platform, CancellationToken cancellationToken);

    /// <summary>Reads the callback (an error, the user's refusal, a code or a verifier) and exchanges it once for tokens.</summary>
    Task<TokenExchange> ExchangeAsync(Integration integration, IPlatform platform, PendingAuthorization pending, CallbackParameters callback, CancellationToken cancellationToken);

    /// <summary>
    /// Why the server refused a request signed with the new tokens (the identity lookup), when the protocol itself
    /// reports the reason in the answer; <c>null</c> otherwise, and the lookup's own message applies.
    /// </summary>
    TokenExchange? ExplainRefusal(Integration integration, RefusedAnswer answer);
}
