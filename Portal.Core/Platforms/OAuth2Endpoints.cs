namespace Portal.Core.Platforms;

/// <summary>Where a platform's OAuth 2 provider lives for one base URL, and what the portal asks it for.</summary>
/// <param name="Authorize">The page the browser is sent to.</param>
/// <param name="Token">Where the code is exchanged (client secret in the form body).</param>
/// <param name="Scope">The scopes the sign-in asks for, space-separated.</param>
public sealed record OAuth2Endpoints(string Authorize, string Token, string Scope);
