namespace Portal.Core.Platforms;

/// <summary>Which OAuth version a server version calls for, and what to tell the administrator about it.</summary>
/// <param name="OAuthVersion">The OAuth version to set the integration up with.</param>
/// <param name="IsWarning">Whether <paramref name="Message"/> should be shown as a warning rather than a confirmation.</param>
/// <param name="Message">A full sentence for the administrator.</param>
public sealed record OAuthCompatibility(OAuthVersion OAuthVersion, bool IsWarning, string Message)
{
    /// <summary>
    /// Whether OAuth 2 is possible although <see cref="OAuthVersion"/> calls for OAuth 1: a server version that introduced
    /// OAuth 2 before vendors documented it, where the administrator may still choose it.
    /// </summary>
    public bool OAuth2Possible { get; init; }

    /// <summary>What to tell about an integration that uses OAuth 2 although <see cref="OAuthVersion"/> calls for OAuth 1.</summary>
    public string? OAuth2Note { get; init; }

    /// <summary>Whether an integration may use OAuth 2 with this server.</summary>
    public bool AllowsOAuth2 => OAuthVersion == OAuthVersion.OAuth2 || OAuth2Possible;
}
