namespace Portal.Core.OAuth;

/// <summary>What <see cref="ISignInProtocol.StartAsync"/> produced: where the browser goes, or why it cannot.</summary>
/// <param name="AuthorizeUrl">The server's authorize page with everything the protocol sends.</param>
/// <param name="CallbackKey">The value the callback echoes back: OAuth 2's <c>state</c>, OAuth 1's request token.</param>
/// <param name="ProtectedSecret">What the callback needs and nobody may read meanwhile (PKCE verifier, token secret), encrypted.</param>
/// <param name="Failure">Why the sign-in cannot start (as a failed exchange at the authorize step); <c>null</c> on success.</param>
public sealed record SignInStart(string? AuthorizeUrl, string? CallbackKey, string? ProtectedSecret, TokenExchange? Failure = null)
{
    public bool Succeeded => Failure is null;

    public static SignInStart Failed(TokenExchange failure) => new(null, null, null, failure);
}
