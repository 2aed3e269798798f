using Portal.Core.Integrations;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>Decides between OAuth 2 and OAuth 1 from the Bitbucket version (protocol notes §1.1).</summary>
public static class BitbucketOAuthRules
{
    /// <summary>The first version vendors document for OAuth 2 application links.</summary>
    public static readonly BitbucketVersion MinimumOAuth2Version = new(7, 21, 0, null);

    /// <summary>
    /// Why an OAuth 2 sign-in through an http base URL probably failed, for administrators; <c>null</c> for https.
    /// Bitbucket's provider needs an https base URL and a request that arrives over https (protocol notes §1.2, §6.7).
    /// </summary>
    public static string? PlainHttpSignInCause(string baseUrl) =>
        baseUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            ? "This integration's base URL uses http://, and Bitbucket's OAuth 2 provider refuses sign-ins unless its base URL is https and the request arrives over https (its consent page answers \"no https\"): unless Bitbucket runs with atlassian.oauth2.provider.skip.base.url.https.requirement=true, that is the likely cause. Serve Bitbucket over https and add the integration again with its https address."
            : null;

    /// <summary>Assesses which OAuth version <paramref name="version"/> supports.</summary>
    public static OAuthCompatibility Assess(BitbucketVersion version)
    {
        // Compare the release line only: a 7.21 pre-release already ships the 7.21 OAuth 2 provider.
        var line = new BitbucketVersion(version.Major, version.Minor, 0, null);
        if (line >= MinimumOAuth2Version)
        {
            return new OAuthCompatibility(OAuthVersion.OAuth2, false, $"Bitbucket {version} supports OAuth 2 application links.");
        }
        if (version.Major == 7 && version.Minor == 20)
        {
            // The setup guide's OAuth 1 option reads "v7.20 or older"; 7.20 did introduce OAuth 2 links, so it stays a choice.
            return new OAuthCompatibility(OAuthVersion.OAuth1, true,
                $"Bitbucket {version} uses OAuth 1: OAuth 2 application links are documented from 7.21. 7.20 introduced them, so OAuth 2 can be chosen instead; upgrade to 7.21 or later if an OAuth 2 sign-in fails.")
            {
                OAuth2Possible = true,
                OAuth2Note = $"Bitbucket {version}: 7.20 introduced OAuth 2 application links, but 7.21 is the first version vendors document; upgrade if sign-in fails.",
            };
        }
        return new OAuthCompatibility(OAuthVersion.OAuth1, true,
            $"Bitbucket {version} is too old for OAuth 2: OAuth 2 application links need Bitbucket 7.21 or later, so this server needs OAuth 1 (or an upgrade to 7.21 or later).");
    }
}
