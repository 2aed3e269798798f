using System.Text.RegularExpressions;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>Bitbucket Data Center / Server: OAuth 2 application links from 7.21, OAuth 1 before (protocol notes §1).</summary>
public sealed partial class BitbucketServerPlatform(BitbucketVersionProbe probe, BitbucketIdentityClient identity) : IOAuth1Platform
{
    /// <summary>The key stored in integrations made for Bitbucket.</summary>
    public static PlatformKind KindOf { get; } = new("bitbucket-server", "Bitbucket Data Center / Server", new PlatformWording(
        "Bitbucket", "application link", "Bitbucket > Administration > Application Links", "Repositories: Read", "Bitbucket's log (atlassian-bitbucket.log)"));

    public PlatformKind Kind => KindOf;

    public string ExampleBaseUrl => "https://bitbucket.example.com";

    public async Task<ServerDetection> DetectAsync(string normalizedBaseUrl, CancellationToken cancellationToken)
    {
        var found = await probe.ProbeAsync(normalizedBaseUrl, cancellationToken);
        return new ServerDetection(found.Version?.ToString(), found.Failure, found.Message, found.Hint)
        {
            Compatibility = found.Compatibility,
            PresentedChain = found.PresentedChain,
        };
    }

    public Task<OAuth2ProviderCheck> CheckOAuth2ProviderAsync(string normalizedBaseUrl, CancellationToken cancellationToken) =>
        probe.CheckOAuth2ProviderAsync(normalizedBaseUrl, cancellationToken);

    public OAuthCompatibility? AssessOAuth(string? serverVersion) =>
        BitbucketVersion.TryParse(serverVersion, out var version) ? BitbucketOAuthRules.Assess(version) : null;

    public ApplicationGuide GuideFor(string baseUrl, string applicationName) => new(
        Title: "Create the application link in Bitbucket",
        AdminPageLabel: "Bitbucket's application links page",
        AdminPageUrl: BitbucketEndpoints.ApplicationLinks(baseUrl),
        Steps:
        [
            "You need Bitbucket administrator rights there.",
            "Click **Create link**, select **External application** as type and **Incoming** as direction, then continue.",
            $"Enter a name, for example *{applicationName}*.",
            "Paste the **Callback URL / Redirect URL** from above into **Redirect URL**.",
            "Under application permissions, select **Repositories: Read**, and save.",
            "Bitbucket shows the **Client ID** and **Client Secret**: copy them into the next step.",
        ],
        Scopes: ["Repositories: Read"],
        ClientIdLabel: "Client ID",
        ClientSecretLabel: "Client Secret",
        Notes:
        [
            "If the \"U2F & TOTP\" two-factor plugin by Alpha Serve is installed on Bitbucket, enable its **Enable OAuth whitelist** setting, or sign-ins through this integration will fail.",
        ]);

    public string? CheckClientId(string clientId) =>
        HexOfLength32().IsMatch(clientId) ? null
            : "Bitbucket's Client IDs are 32 hexadecimal characters; this one is not. Check that you copied the Client ID, not the link's name.";

    public string? CheckClientSecret(string clientSecret) =>
        HexOfLength64().IsMatch(clientSecret) ? null
            : "Bitbucket's Client Secrets are 64 hexadecimal characters; this one is not. Check that you copied the whole secret.";

    public OAuth2Endpoints OAuth2Endpoints(string baseUrl) =>
        new(BitbucketEndpoints.Authorize(baseUrl), BitbucketEndpoints.Token(baseUrl), BitbucketEndpoints.OAuth2Scope);

    public Task<IdentityLookup> IdentifyAsync(string baseUrl, Func<HttpRequestMessage, Task> authorize, CancellationToken cancellationToken) =>
        identity.IdentifyAsync(baseUrl, authorize, cancellationToken);

    public string? LikelySignInCause(string baseUrl) => BitbucketOAuthRules.PlainHttpSignInCause(baseUrl);

    public OAuth1Keys NewOAuth1Keys()
    {
        var pair = OAuth1.OAuth1KeyPair.Generate();
        return new OAuth1Keys(OAuth1.OAuth1ConsumerKey.Generate(), pair.PublicKeyPem, pair.PrivateKeyPem);
    }

    [GeneratedRegex("^[0-9a-fA-F]{32}$")]
    private static partial Regex HexOfLength32();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HexOfLength64();
}
