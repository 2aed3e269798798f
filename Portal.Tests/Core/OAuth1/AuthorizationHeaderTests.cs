using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Core.OAuth1;

public class AuthorizationHeaderTests
{
    [Fact]
    public void Rfc5849_header_with_line_breaks_is_parsed_and_decoded()
    {
        // RFC 5849 section 1.2, the temporary credentials request.
        const string header = """
            OAuth realm="Photos",
               oauth_consumer_key="dpf43f3p2l4k3l03",
               oauth_signature_method="HMAC-SHA1",
               oauth_timestamp="137131200",
               oauth_nonce="wIjqoS",
               oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready",
               oauth_signature="74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D"
            """;

        var parameters = OAuth1AuthorizationHeader.Parse(header)!.ToDictionary(p => p.Key, p => p.Value);

        Assert.Equal("Photos", parameters["realm"]);
        Assert.Equal("http://printer.example.com/ready", parameters["oauth_callback"]);
        Assert.Equal("74KNZJeDHnMBp0EMJ9ZHt/XKycU=", parameters["oauth_signature"]);
        Assert.Equal(7, parameters.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("OAuthentic x=\"1\"")]
    public void Other_schemes_are_not_parsed(string? header) => Assert.Null(OAuth1AuthorizationHeader.Parse(header));

    [Fact]
    public void Formatted_header_round_trips()
    {
        var header = OAuth1AuthorizationHeader.Format([new("oauth_callback", "https://portal/x?a=1&b=2"), new("oauth_nonce", "n")]);

        Assert.Equal("OAuth realm=\"\", oauth_callback=\"https%3A%2F%2Fportal%2Fx%3Fa%3D1%26b%3D2\", oauth_nonce=\"n\"", header);
        Assert.Equal(
            [new("realm", ""), new("oauth_callback", "https://portal/x?a=1&b=2"), new("oauth_nonce", "n")],
            OAuth1AuthorizationHeader.Parse(header));
    }
}
