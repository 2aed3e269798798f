using Portal.Core.Platforms;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Tests.Core;

public class BitbucketOAuthRulesTests
{
    [Fact]
    public void Minimum_OAuth_2_version_is_7_21_0()
    {
        Assert.Equal(new BitbucketVersion(7, 21, 0, null), BitbucketOAuthRules.MinimumOAuth2Version);
    }

    [Theory]
    [InlineData("7.21.0")]
    [InlineData("7.21.0-rc1")]
    [InlineData("8.9.1")]
    [InlineData("8.19.14")]
    [InlineData("9.4.22")]
    [InlineData("10.0")]
    public void Version_7_21_and_later_use_OAuth_2_without_warning(string text)
    {
        var compatibility = BitbucketOAuthRules.Assess(Parse(text));

        Assert.Equal(OAuthVersion.OAuth2, compatibility.OAuthVersion);
        Assert.False(compatibility.IsWarning);
        Assert.Equal($"Bitbucket {Parse(text)} supports OAuth 2 application links.", compatibility.Message);
    }

    [Fact]
    public void Message_names_the_version()
    {
        Assert.Equal("Bitbucket 8.9.1 supports OAuth 2 application links.", BitbucketOAuthRules.Assess(Parse("8.9.1")).Message);
    }

    [Theory]
    [InlineData("7.20.0")]
    [InlineData("7.20.3")]
    [InlineData("7.20.0-rc1")]
    public void Version_7_20_uses_OAuth_1_and_allows_OAuth_2_with_a_warning(string text)
    {
        var compatibility = BitbucketOAuthRules.Assess(Parse(text));

        Assert.Equal(OAuthVersion.OAuth1, compatibility.OAuthVersion);
        Assert.True(compatibility.AllowsOAuth2);
        Assert.True(compatibility.IsWarning);
        Assert.Contains("OAuth 2 application links are documented from 7.21. 7.20 introduced them, so OAuth 2 can be chosen instead", compatibility.Message);
        Assert.StartsWith($"Bitbucket {text}", compatibility.Message);
    }

    [Theory]
    [InlineData("7.17.0")]
    [InlineData("7.19.9")]
    [InlineData("6.10.17")]
    public void Versions_before_7_20_need_OAuth_1(string text)
    {
        var compatibility = BitbucketOAuthRules.Assess(Parse(text));

        Assert.Equal(OAuthVersion.OAuth1, compatibility.OAuthVersion);
        Assert.False(compatibility.AllowsOAuth2);
        Assert.True(compatibility.IsWarning);
        Assert.Contains("OAuth 2 application links need Bitbucket 7.21 or later", compatibility.Message);
        Assert.Contains("this server needs OAuth 1", compatibility.Message);
    }

    private static BitbucketVersion Parse(string text)
    {
        Assert.True(BitbucketVersion.TryParse(text, out var version));
        return version;
    }
}
