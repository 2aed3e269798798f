using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Core.OAuth1;

public class PercentEncodingTests
{
    // oauth.net wiki TestCases, "Parameter Encoding (section 5.1)".
    [Theory]
    [InlineData("abcABC123", "abcABC123")]
    [InlineData("-._~", "-._~")]
    [InlineData("%", "%25")]
    [InlineData("+", "%2B")]
    [InlineData("&=*", "%26%3D%2A")]
    [InlineData("\u000A", "%0A")]
    [InlineData("\u0020", "%20")]
    [InlineData("\u007F", "%7F")]
    [InlineData("\u0080", "%C2%80")]
    [InlineData("\u3001", "%E3%80%81")]
    public void Wiki_parameter_encoding_cases_are_reproduced(string input, string expected) =>
        Assert.Equal(expected, OAuth1Encoding.PercentEncode(input));

    [Fact]
    public void Every_character_outside_the_unreserved_set_is_escaped_with_uppercase_hex() =>
        Assert.Equal("%21%2A%27%28%29%3B%3A%40%2F%3F%5B%5D%C3%A9", OAuth1Encoding.PercentEncode("!*'();:@/?[]é"));

    [Fact]
    public void Form_decoding_turns_plus_into_space_but_header_decoding_does_not()
    {
        Assert.Equal("2 q", OAuth1Encoding.FormDecode("2+q"));
        Assert.Equal("2+q", OAuth1Encoding.PercentDecode("2+q"));
        Assert.Equal("=%3D", OAuth1Encoding.FormDecode("%3D%253D"));
    }
}
