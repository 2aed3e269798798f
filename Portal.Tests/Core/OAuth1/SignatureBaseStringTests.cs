using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Core.OAuth1;

public class SignatureBaseStringTests
{
    // RFC 5849 section 3.4.1.1: the request whose base string the RFC prints.
    private static readonly Uri RfcUrl = new("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b");
    private const string RfcBody = "c2&a3=2+q";

    private static readonly KeyValuePair<string, string>[] RfcProtocolParameters =
    [
        new("realm", "Example"),
        new("oauth_consumer_key", "9djdj82h48djs9d2"),
        new("oauth_token", "kkk9d7dh3k39sjv7"),
        new("oauth_signature_method", "HMAC-SHA1"),
        new("oauth_timestamp", "137131201"),
        new("oauth_nonce", "7d8f3e4a"),
        new("oauth_signature", "bYT5CMsGcbgUdFHObYMEfcx6bsw="),
    ];

    [Fact]
    public void Rfc5849_section_3_4_1_1_base_string_is_reproduced()
    {
        const string expected =
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q" +
            "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_" +
            "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m" +
            "ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk" +
            "9d7dh3k39sjv7";

        Assert.Equal(expected, OAuth1SignatureBaseString.Create("POST", RfcUrl, RfcBody, RfcProtocolParameters));
    }

    [Fact]
    public void Rfc5849_section_3_4_1_3_2_normalized_parameters_are_reproduced()
    {
        const string expected =
            "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9dj" +
            "dj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1" +
            "&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7";

        var collected = OAuth1SignatureBaseString.CollectParameters(RfcUrl, RfcBody, RfcProtocolParameters);

        Assert.Equal(expected, OAuth1SignatureBaseString.NormalizeParameters(collected));
    }

    [Fact]
    public void Realm_and_signature_from_the_header_are_not_signed_but_realm_in_the_query_is()
    {
        var collected = OAuth1SignatureBaseString.CollectParameters(
            new Uri("http://example.com/request?realm=something&oauth_signature=foobar"), null,
            [new("realm", "example.com"), new("oauth_signature", "x"), new("oauth_nonce", "n")]);

        Assert.Equal([new("realm", "something"), new("oauth_nonce", "n")], collected);
    }

    // RFC 5849 section 3.4.1.2 examples.
    [Theory]
    [InlineData("http://EXAMPLE.COM:80/r%20v/X?id=123", "http://example.com/r%20v/X")]
    [InlineData("https://www.example.net:8080/?q=1", "https://www.example.net:8080/")]
    [InlineData("HTTPS://Bitbucket.Example.com:443/bitbucket/plugins/servlet/oauth/request-token",
        "https://bitbucket.example.com/bitbucket/plugins/servlet/oauth/request-token")]
    [InlineData("https://bitbucket.example.com:80/", "https://bitbucket.example.com:80/")]
    public void Base_string_uri_lowercases_scheme_and_host_drops_default_ports_and_the_query(string url, string expected) =>
        Assert.Equal(expected, OAuth1SignatureBaseString.BaseStringUri(new Uri(url)));

    // oauth.net wiki TestCases, "Concatenate Test Elements".
    [Theory]
    [InlineData("http://example.com/")]
    [InlineData("http://example.com")]
    public void Wiki_concatenation_with_and_without_ending_slash(string url) =>
        Assert.Equal("GET&http%3A%2F%2Fexample.com%2F&n%3Dv",
            OAuth1SignatureBaseString.Create("GET", new Uri(url), [new KeyValuePair<string, string>("n", "v")]));

    // oauth.net wiki TestCases, "Normalize Request Parameters (section 9.1.1)", given as query strings.
    [Theory]
    [InlineData("name", "name=")]
    [InlineData("a=b", "a=b")]
    [InlineData("a=b&c=d", "a=b&c=d")]
    [InlineData("a=x!y&a=x+y", "a=x%20y&a=x%21y")]
    [InlineData("x!y=a&x=a", "x=a&x%21y=a")]
    public void Wiki_normalization_cases_are_reproduced(string query, string expected)
    {
        var collected = OAuth1SignatureBaseString.CollectParameters(new Uri("http://example.com/?" + query), null, []);

        Assert.Equal(expected, OAuth1SignatureBaseString.NormalizeParameters(collected));
    }
}
