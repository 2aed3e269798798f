using Portal.Core.Platforms;
namespace Portal.Core.Integrations;

/// <summary>What the administrator is warned about under a usable Base URL, given the OAuth version chosen so far.</summary>
public static class BaseUrlWarnings
{
    /// <summary>
    /// The warnings for <paramref name="normalization"/>, or null when there are none. The https warning is left out
    /// once the integration is known to use OAuth 1 (<paramref name="oauthVersion"/>), whose links work over http;
    /// while the version is unknown (null) or OAuth 2, it stays, unless the platform's OAuth 2 works over http
    /// (<paramref name="oauth2NeedsHttps"/> false).
    /// </summary>
    public static string? For(BaseUrlNormalization normalization, OAuthVersion? oauthVersion, bool oauth2NeedsHttps = true)
    {
        if (normalization.Warning is not { } warning || (oauthVersion != OAuthVersion.OAuth1 && oauth2NeedsHttps))
        {
            return normalization.Warning;
        }
        var withoutHttps = warning.Replace(BaseUrlNormalizer.PlainHttpWarning, "", StringComparison.Ordinal).Trim();
        return withoutHttps.Length == 0 ? null : withoutHttps;
    }
}
