using Portal.Core.Accounts;
using Portal.Core.Platforms;

namespace Portal.Core.OAuth;

/// <summary>What the callback receives from the server: OAuth 2 sends state and code (or an error), OAuth 1 the token and verifier.</summary>
/// <remarks>Anyone can call the callback with any values: none of them is ever shown or stored as sent.</remarks>
public sealed record CallbackParameters(string? State, string? Code, string? Error, string? ErrorDescription, string? OAuthToken = null, string? OAuthVerifier = null);
