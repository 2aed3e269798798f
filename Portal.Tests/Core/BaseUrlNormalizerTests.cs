using Portal.Core.Integrations;

namespace Portal.Tests.Core;

public class BaseUrlNormalizerTests
{
    [Theory]
    [InlineData("https://bitbucket.example.com", "https://bitbucket.example.com")]
    [InlineData("  https://bitbucket.example.com \t", "https://bitbucket.example.com")]
    [InlineData("https://bitbucket.example.com/", "https://bitbucket.example.com")]
    [InlineData("https://bitbucket.example.com///", "https://bitbucket.example.com")]
    [InlineData("https://bitbucket.example.com/bitbucket", "https://bitbucket.example.com/bitbucket")]
    [InlineData("https://bitbucket.example.com/bitbucket/", "https://bitbucket.example.com/bitbucket")]
    [InlineData("https://git.example.com/tools/bitbucket/", "https://git.example.com/tools/bitbucket")]
    [InlineData("HTTPS://BitBucket.Example.COM/BitBucket", "https://bitbucket.example.com/BitBucket")]
    [InlineData("https://bitbucket.example.com:443", "https://bitbucket.example.com")]
    [InlineData("http://bitbucket.example.com:80/", "http://bitbucket.example.com")]
    [InlineData("https://bitbucket.example.com:7990", "https://bitbucket.example.com:7990")]
    [InlineData("https://bitbucket.example.com:80", "https://bitbucket.example.com:80")]
    [InlineData("http://bitbucket.example.com:443", "http://bitbucket.example.com:443")]
    [InlineData("https://bitbucket.example.com:8443/bitbucket/", "https://bitbucket.example.com:8443/bitbucket")]
    [InlineData("https://bitbucket.example.com/?next=%2Fdashboard", "https://bitbucket.example.com")]
    [InlineData("https://bitbucket.example.com/bitbucket#top", "https://bitbucket.example.com/bitbucket")]
    [InlineData("https://bitbucket.example.com/bitbucket/?a=1#b", "https://bitbucket.example.com/bitbucket")]
    [InlineData("https://[::1]:7990", "https://[::1]:7990")]
    [InlineData("https://[2001:DB8::1]/bitbucket", "https://[2001:db8::1]/bitbucket")]
    [InlineData("https://10.0.0.5:7990/", "https://10.0.0.5:7990")]
    [InlineData("https://bitbücket.example", "https://xn--bitbcket-95a.example")]
    [InlineData("https://BITBÜCKET.example/Bitbucket", "https://xn--bitbcket-95a.example/Bitbucket")]
    public void Valid_base_urls_are_normalised(string input, string expected)
    {
        var result = BaseUrlNormalizer.Normalize(input);

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(expected, result.Url);
        Assert.Null(result.Error);
    }

    [Fact]
    public void Context_path_is_kept()
    {
        Assert.Equal("https://bitbucket.example.com/bitbucket", BaseUrlNormalizer.Normalize("https://bitbucket.example.com/bitbucket").Url);
    }

    [Fact]
    public void Case_of_the_context_path_is_preserved_while_the_host_is_lower_cased()
    {
        Assert.Equal("https://bitbucket.example.com/Stash", BaseUrlNormalizer.Normalize("https://BITBUCKET.example.com/Stash/").Url);
    }

    [Fact]
    public void Https_url_has_no_warning()
    {
        Assert.Null(BaseUrlNormalizer.Normalize("https://bitbucket.example.com/bitbucket").Warning);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_input_asks_for_the_base_url(string? input)
    {
        var result = BaseUrlNormalizer.Normalize(input);

        Assert.False(result.IsValid);
        Assert.Null(result.Url);
        Assert.Equal("Enter the base URL of your server, e.g. https://git.example.com", result.Error);
    }

    [Theory]
    [InlineData("bitbucket.example.com", "Add the scheme: https://bitbucket.example.com")]
    [InlineData("bitbucket.example.com/bitbucket/", "Add the scheme: https://bitbucket.example.com/bitbucket")]
    [InlineData("bitbucket.example.com:7990", "Add the scheme: https://bitbucket.example.com:7990")]
    [InlineData("localhost:7990/bitbucket", "Add the scheme: https://localhost:7990/bitbucket")]
    [InlineData("[::1]:7990", "Add the scheme: https://[::1]:7990")]
    [InlineData("//bitbucket.example.com", "Add the scheme: https://bitbucket.example.com")]
    public void Missing_scheme_suggests_https(string input, string expectedSuggestion)
    {
        var result = BaseUrlNormalizer.Normalize(input);

        Assert.False(result.IsValid);
        Assert.Contains(expectedSuggestion, result.Error);
    }

    [Theory]
    [InlineData("https:/bitbucket.example.com", "Write the scheme as \"https://\", with a colon and two slashes: https://bitbucket.example.com")]
    [InlineData("https:bitbucket.example.com", "Write the scheme as \"https://\", with a colon and two slashes: https://bitbucket.example.com")]
    [InlineData("https//bitbucket.example.com/bitbucket", "Write the scheme as \"https://\", with a colon and two slashes: https://bitbucket.example.com/bitbucket")]
    [InlineData("http:///bitbucket.example.com", "Write the scheme as \"http://\", with a colon and two slashes: http://bitbucket.example.com")]
    public void Mistyped_scheme_separator_suggests_the_fix(string input, string expectedError)
    {
        Assert.Equal(expectedError, BaseUrlNormalizer.Normalize(input).Error);
    }

    [Theory]
    [InlineData("javascript:alert(1)", "javascript")]
    [InlineData("JavaScript:alert(document.cookie)", "javascript")]
    [InlineData("file:///etc/passwd", "file")]
    [InlineData("ftp://bitbucket.example.com", "ftp")]
    [InlineData("data:text/html,<script>alert(1)</script>", "data")]
    [InlineData("ssh://git@bitbucket.example.com:7999/proj/repo.git", "ssh")]
    [InlineData("ws://bitbucket.example.com", "ws")]
    [InlineData("mailto:admin@example.com", "mailto")]
    public void Other_schemes_are_refused_by_name(string input, string scheme)
    {
        var result = BaseUrlNormalizer.Normalize(input);

        Assert.False(result.IsValid);
        Assert.Contains($"The scheme \"{scheme}:\" is not supported", result.Error);
        Assert.Contains("https://", result.Error);
    }

    [Theory]
    [InlineData("https://jdoe:s3cr3t@bitbucket.example.com")]
    [InlineData("https://jdoe@bitbucket.example.com/bitbucket")]
    [InlineData("http://jdoe:s3cr3t@bitbucket.example.com:7990")]
    public void Credentials_in_the_url_are_refused_without_echoing_them(string input)
    {
        var result = BaseUrlNormalizer.Normalize(input);

        Assert.False(result.IsValid);
        Assert.StartsWith("Credentials must not be in the URL", result.Error);
        Assert.DoesNotContain("s3cr3t", result.Error);
        Assert.DoesNotContain("jdoe", result.Error);
    }

    [Theory]
    [InlineData("https://bit bucket.example.com")]
    [InlineData("https://bitbucket.example .com/bitbucket")]
    [InlineData("https://bitbucket\t.example.com")]
    public void Whitespace_in_the_host_is_refused(string input)
    {
        var result = BaseUrlNormalizer.Normalize(input);

        Assert.False(result.IsValid);
        Assert.Contains("contains a space: remove it", result.Error);
    }

    [Fact]
    public void Whitespace_in_the_path_is_refused()
    {
        var result = BaseUrlNormalizer.Normalize("https://bitbucket.example.com/bit bucket");

        Assert.False(result.IsValid);
        Assert.Contains("contains a space", result.Error);
    }

    [Theory]
    [InlineData("https://")]
    [InlineData("https:///")]
    [InlineData("http://:7990/bitbucket")]
    public void Missing_host_is_refused(string input)
    {
        Assert.Equal(
            input.StartsWith("https", StringComparison.Ordinal)
                ? "The base URL has no host name: enter it after https://, e.g. https://git.example.com."
                : "The base URL has no host name: enter it after http://, e.g. https://git.example.com.",
            BaseUrlNormalizer.Normalize(input).Error);
    }

    [Theory]
    [InlineData("https://bitbucket.example.com:99999", "99999")]
    [InlineData("https://bitbucket.example.com:0", "0")]
    [InlineData("https://bitbucket.example.com:79x0/bitbucket", "79x0")]
    [InlineData("https://[::1]:70000", "70000")]
    public void Invalid_port_is_refused(string input, string port)
    {
        Assert.Equal(
            $"The port \"{port}\" is not valid: use a number from 1 to 65535, e.g. https://git.example.com:7990.",
            BaseUrlNormalizer.Normalize(input).Error);
    }

    [Fact]
    public void Unparseable_url_is_refused_with_an_example()
    {
        var result = BaseUrlNormalizer.Normalize("https://bitbucket..example.com\\bb");

        Assert.False(result.IsValid);
        Assert.EndsWith("it should look like https://git.example.com or https://git.example.com/scm.", result.Error);
    }

    [Theory]
    [InlineData("http://bitbucket.example.com")]
    [InlineData("http://bitbucket.example.com:7990/bitbucket")]
    public void Http_is_allowed_with_a_warning_about_oauth_2(string input)
    {
        var result = BaseUrlNormalizer.Normalize(input);

        Assert.True(result.IsValid);
        Assert.Equal(
            "The server's OAuth 2 provider requires an https base URL, so OAuth 2 sign-in will fail over http://: use https:// if the server offers it.",
            result.Warning);
    }

    [Theory]
    [InlineData("https://bitbucket.example.com/rest/api/1.0/application-properties", "https://bitbucket.example.com")]
    [InlineData("https://bitbucket.example.com/projects/PROJ/repos/web/browse", "https://bitbucket.example.com")]
    [InlineData("https://bitbucket.example.com/bitbucket/projects", "https://bitbucket.example.com/bitbucket")]
    [InlineData("https://bitbucket.example.com/bitbucket/plugins/servlet/applinks/listApplicationLinks", "https://bitbucket.example.com/bitbucket")]
    [InlineData("https://bitbucket.example.com:7990/bitbucket/dashboard", "https://bitbucket.example.com:7990/bitbucket")]
    public void Pasted_page_address_is_kept_but_warned_about(string input, string likelyBaseUrl)
    {
        var result = BaseUrlNormalizer.Normalize(input);

        Assert.True(result.IsValid);
        Assert.Equal(input, result.Url);
        Assert.Equal(
            $"This looks like a page of the server, not its base URL: if the server's base URL is {likelyBaseUrl}, enter that instead.",
            result.Warning);
    }

    [Fact]
    public void Context_path_named_plugins_without_servlet_is_not_a_page()
    {
        Assert.Null(BaseUrlNormalizer.Normalize("https://tools.example.com/plugins").Warning);
    }

    [Fact]
    public void Http_page_address_gets_both_warnings()
    {
        var warning = BaseUrlNormalizer.Normalize("http://bitbucket.example.com/rest/api/1.0/projects").Warning;

        Assert.Contains("requires an https base URL", warning);
        Assert.Contains("This looks like a page of the server, not its base URL", warning);
    }
}
