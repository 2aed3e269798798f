using Portal.Core.Platforms;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

public sealed class OAuthVersionChoiceTests
{
    private static readonly IPlatform Bitbucket = TestPlatforms.BitbucketOnly().All[0];

    [Fact]
    public void A_Bitbucket_that_supports_OAuth_2_offers_the_choice_and_defaults_to_OAuth_2()
    {
        var compatibility = Bitbucket.AssessOAuth("8.9.1");

        Assert.True(OAuthVersionChoice.CanChoose(Bitbucket, compatibility));
        Assert.Equal(OAuthVersion.OAuth2, OAuthVersionChoice.Resolve(Bitbucket, compatibility, chosen: null));
        Assert.Equal(OAuthVersion.OAuth1, OAuthVersionChoice.Resolve(Bitbucket, compatibility, OAuthVersion.OAuth1));
    }

    [Fact]
    public void Bitbucket_7_20_defaults_to_OAuth_1_as_the_setup_guide_says_and_still_offers_OAuth_2()
    {
        var compatibility = Bitbucket.AssessOAuth("7.20.3");

        Assert.True(OAuthVersionChoice.CanChoose(Bitbucket, compatibility));
        Assert.Equal(OAuthVersion.OAuth1, OAuthVersionChoice.Resolve(Bitbucket, compatibility, chosen: null));
        Assert.Equal(OAuthVersion.OAuth2, OAuthVersionChoice.Resolve(Bitbucket, compatibility, OAuthVersion.OAuth2));
    }

    [Fact]
    public void An_older_Bitbucket_must_use_OAuth_1_whatever_was_chosen()
    {
        var compatibility = Bitbucket.AssessOAuth("7.17.0");

        Assert.False(OAuthVersionChoice.CanChoose(Bitbucket, compatibility));
        Assert.Equal(OAuthVersion.OAuth1, OAuthVersionChoice.Resolve(Bitbucket, compatibility, OAuthVersion.OAuth2));
    }

    [Fact]
    public void A_platform_without_OAuth_1_always_uses_OAuth_2()
    {
        var gitLabLike = new OAuth2OnlyPlatform(Bitbucket);
        var compatibility = new OAuthCompatibility(OAuthVersion.OAuth1, true, "a server that would want OAuth 1");

        Assert.False(OAuthVersionChoice.CanChoose(gitLabLike, compatibility));
        Assert.Equal(OAuthVersion.OAuth2, OAuthVersionChoice.Resolve(gitLabLike, compatibility, OAuthVersion.OAuth1));
    }

    /// <summary>A platform that is not an <see cref="IOAuth1Platform"/>, whatever else it does.</summary>
    private sealed class OAuth2OnlyPlatform(IPlatform inner) : IPlatform
    {
        public PlatformKind Kind => inner.Kind;
        public string ExampleBaseUrl => inner.ExampleBaseUrl;
        public bool OAuth2NeedsHttps => inner.OAuth2NeedsHttps;
        public Task<ServerDetection> DetectAsync(string normalizedBaseUrl, CancellationToken cancellationToken) => inner.DetectAsync(normalizedBaseUrl, cancellationToken);
        public Task<OAuth2ProviderCheck> CheckOAuth2ProviderAsync(string normalizedBaseUrl, CancellationToken cancellationToken) => inner.CheckOAuth2ProviderAsync(normalizedBaseUrl, cancellationToken);
        public OAuthCompatibility? AssessOAuth(string? serverVersion) => inner.AssessOAuth(serverVersion);
        public ApplicationGuide GuideFor(string baseUrl, string applicationName) => inner.GuideFor(baseUrl, applicationName);
        public IReadOnlyList<string> VerifyTimeoutCauses(string baseUrl) => inner.VerifyTimeoutCauses(baseUrl);
        public string? CheckClientId(string clientId) => inner.CheckClientId(clientId);
        public string? CheckClientSecret(string clientSecret) => inner.CheckClientSecret(clientSecret);
        public OAuth2Endpoints OAuth2Endpoints(string baseUrl) => inner.OAuth2Endpoints(baseUrl);
        public Task<IdentityLookup> IdentifyAsync(string baseUrl, Func<HttpRequestMessage, Task> authorize, CancellationToken cancellationToken) => inner.IdentifyAsync(baseUrl, authorize, cancellationToken);
        public string? LikelySignInCause(string baseUrl) => inner.LikelySignInCause(baseUrl);
    }
}
