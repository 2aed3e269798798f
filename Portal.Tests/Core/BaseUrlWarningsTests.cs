using Portal.Core.Platforms;
using Portal.Core.Integrations;

namespace Portal.Tests.Core;

public sealed class BaseUrlWarningsTests
{
    private const string HttpPage = "http://server.example.com/rest/api/1.0/projects";

    [Theory]
    [InlineData(null)]
    [InlineData(OAuthVersion.OAuth2)]
    public void An_http_base_url_is_warned_about_while_OAuth_2_is_possible(OAuthVersion? version)
    {
        var warning = BaseUrlWarnings.For(BaseUrlNormalizer.Normalize("http://server.example.com"), version);

        Assert.Equal("The server's OAuth 2 provider requires an https base URL, so OAuth 2 sign-in will fail over http://: use https:// if the server offers it.", warning);
    }

    [Fact]
    public void An_http_base_url_is_not_warned_about_for_OAuth_1()
    {
        Assert.Null(BaseUrlWarnings.For(BaseUrlNormalizer.Normalize("http://server.example.com"), OAuthVersion.OAuth1));
    }

    [Fact]
    public void For_OAuth_1_other_warnings_stay_without_the_https_one()
    {
        var warning = BaseUrlWarnings.For(BaseUrlNormalizer.Normalize(HttpPage), OAuthVersion.OAuth1);

        Assert.NotNull(warning);
        Assert.StartsWith("This looks like a page of", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("https", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void The_https_warning_names_no_platform()
    {
        Assert.DoesNotContain("Bitbucket", BaseUrlNormalizer.PlainHttpWarning, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("the server", BaseUrlNormalizer.PlainHttpWarning, StringComparison.Ordinal);
    }

    [Fact]
    public void An_https_base_url_has_no_warning()
    {
        Assert.Null(BaseUrlWarnings.For(BaseUrlNormalizer.Normalize("https://server.example.com/context"), null));
    }
}
