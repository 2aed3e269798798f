using Portal.Core.Security;

namespace Portal.Tests.Core;

/// <summary>The return-URL rule: only paths on the portal, nothing a browser could read as another host, only printable ASCII.</summary>
public sealed class LocalReturnUrlTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/account")]
    [InlineData("/integrations?created=1#row")]
    [InlineData("/search?q=a%20b")]
    [InlineData("/caf%C3%A9")]
    [InlineData("/a/b/../c")]
    public void Local_paths_are_kept(string url)
    {
        Assert.True(LocalReturnUrl.IsLocal(url));
        Assert.Equal(url, LocalReturnUrl.Sanitize(url, "/fallback"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_missing_return_url_gives_the_fallback(string? url) =>
        Assert.Equal("/integrations", LocalReturnUrl.Sanitize(url, "/integrations"));

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://evil.example/")]
    [InlineData("https:evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("evil.example")]
    [InlineData("account")]
    public void Absolute_and_relative_urls_are_refused(string url) => AssertRefused(url);

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("//evil.example/path")]
    [InlineData("/\\evil.example")]
    [InlineData("\\\\evil.example")]
    [InlineData("\\/evil.example")]
    public void Scheme_relative_urls_are_refused(string url) => AssertRefused(url);

    [Theory]
    [InlineData("/account\\..\\x")]
    [InlineData("/a\\b")]
    public void A_backslash_anywhere_is_refused(string url) => AssertRefused(url);

    [Theory]
    [InlineData("/%2F%2Fevil.example")]
    [InlineData("/%2fevil.example")]
    [InlineData("/%5Cevil.example")]
    [InlineData("/%5cevil.example")]
    [InlineData("%2F%2Fevil.example")]
    [InlineData("/%252F%252Fevil.example")]
    [InlineData("/%25252F%25252Fevil.example")]
    [InlineData("/%09/evil.example")]
    [InlineData("/%0d%0aSet-Cookie:%20x=1")]
    public void Percent_encoded_forms_that_decode_to_another_host_or_a_control_character_are_refused(string url) => AssertRefused(url);

    [Fact]
    public void Encoding_nested_deeper_than_three_rounds_is_refused_rather_than_unwrapped()
    {
        // "/aA" encoded three times is unwrapped and accepted; encoded four times it is refused.
        Assert.True(LocalReturnUrl.IsLocal("/a%252541"));
        Assert.False(LocalReturnUrl.IsLocal("/a%25252541"));
    }

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("/account\tx")]
    [InlineData("/account\0")]
    [InlineData("/account\u007F")]
    public void Tabs_line_breaks_and_other_control_characters_are_refused(string url) => AssertRefused(url);

    [Theory]
    [InlineData("/café")]
    [InlineData("/ａccount")]
    [InlineData("/account\u00A0")]
    [InlineData("/\u202Egnp.exe")]
    [InlineData("/\u3002evil.example")]
    public void Non_ascii_characters_are_refused_because_a_Location_header_cannot_carry_them(string url) => AssertRefused(url);

    [Fact]
    public void Return_urls_longer_than_the_stored_column_are_refused()
    {
        Assert.True(LocalReturnUrl.IsLocal("/" + new string('a', LocalReturnUrl.MaxLength - 1)));
        AssertRefused("/" + new string('a', LocalReturnUrl.MaxLength));
    }

    private static void AssertRefused(string url)
    {
        Assert.False(LocalReturnUrl.IsLocal(url));
        Assert.Equal("/fallback", LocalReturnUrl.Sanitize(url, "/fallback"));
    }
}
