using System.Text.RegularExpressions;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>Bitbucket Data Center / Server: OAuth 2 application links from 7.21, OAuth 1 before (protocol notes §1).</summary>
public sealed partial class BitbucketServerPlatform(BitbucketVersionProbe probe, BitbucketIdentityClient identity) : IOAuth1Platform
{
    /// <summary>The key stored in integrations made for Bitbucket.</summary>
    public static PlatformKind KindOf { get; } = new("bitbucket-server", "Bitbucket Data Center / Server", new PlatformWording(
        "Bitbucket", "application link", "Bitbucket > Administration > Application Links", "Repositories: Read", "Bitbucket's log (atlassian-bitbucket.log)", "Allow", "Client ID", "Client Secret"));

    public PlatformKind Kind => KindOf;

    public string ExampleBaseUrl => "https://bitbucket.example.com";

    public bool OAuth2NeedsHttps => true;

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
        Notes:
        [
            "If the \"U2F & TOTP\" two-factor plugin by Alpha Serve is installed on Bitbucket, enable its **Enable OAuth whitelist** setting, or sign-ins through this integration will fail.",
        ]);

    public IReadOnlyList<string> VerifyTimeoutCauses(string baseUrl) =>
    [
        $"**Bitbucket's Base URL setting is wrong.** Bitbucket takes Allow only from its consent page under the Base URL it is configured with (Administration → Server settings). When that differs from the address you open Bitbucket at ({baseUrl}), Allow brings the consent page back or leads to another address. Set the Base URL to the address people use.",
        "**The \"U2F & TOTP\" plugin blocks OAuth.** If Alpha Serve's \"2FA for Bitbucket: U2F & TOTP\" app is installed, turn on *Enable OAuth whitelist* in its plugin settings.",
    ];

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

    public OAuth1Guide OAuth1GuideFor(string publicUrl, string applicationName, string consumerKey, string publicKeyPem, bool serverAlsoOffersOAuth2) => new(
        Intro: "Enter these values in Bitbucket's application link. The key pair was made for this integration; its private key stays encrypted in the portal.",
        Values:
        [
            new("Application URL", publicUrl, "oauth1-application-url"),
            new("Application Name", applicationName, "oauth1-application-name"),
            new("Application Type", "Generic Application", "oauth1-application-type"),
            new("Consumer Key", consumerKey, "oauth1-consumer-key"),
            new("Consumer Name", applicationName, "oauth1-consumer-name"),
            new("Public Key", publicKeyPem, "oauth1-public-key", Lines: 9),
        ],
        Notes: ["**Consumer Callback URL**: leave it empty; the portal sends its callback with each sign-in."],
        Steps:
        [
            "You need Bitbucket administrator rights there.",
            serverAlsoOffersOAuth2
                ? "Click **Create link** and choose **Atlassian product**, not \"External application\": only that type uses OAuth 1."
                : "Click **Create link**.",
            "Enter the **Application URL** and continue. If Bitbucket says no response was received from it, continue anyway.",
            "Enter the **Application Name**, choose the type **Generic Application**, and create the link.",
            "Edit the new link, open **Incoming Authentication**, and enter the **Consumer Key**, **Consumer Name** and the whole **Public Key**. Leave **Consumer Callback URL** empty, and save.",
            "Come back here and choose **Create Integration**.",
        ],
        ChoiceWarning: serverAlsoOffersOAuth2
            ? "This Bitbucket supports OAuth 2; use OAuth 1 only if you must: from Bitbucket 8, OAuth 1 application links can no longer be used to set up repository synchronisation, so a tool that reads repositories through this link needs OAuth 2."
            : null);

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
