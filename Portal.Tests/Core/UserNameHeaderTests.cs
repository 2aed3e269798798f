using Portal.Core.Platforms.BitbucketServer;
using Portal.Tests.Fakes;

namespace Portal.Tests.Core;

/// <summary><c>X-AUSERNAME</c> is decoded the way Bitbucket encodes it: Java's URLEncoder, where a space is <c>+</c>.</summary>
public sealed class UserNameHeaderTests
{
    [Theory]
    [InlineData("ada+lovelace", "ada lovelace")]
    [InlineData("ada%20lovelace", "ada lovelace")]
    [InlineData("ada%2Bdev", "ada+dev")]
    [InlineData("ada%40example.com", "ada@example.com")]
    [InlineData("j%C3%BCrgen", "jürgen")]
    [InlineData("plain.name_1", "plain.name_1")]
    public void The_header_is_decoded_like_Java_s_URLDecoder(string header, string name) =>
        Assert.Equal(name, BitbucketIdentityClient.DecodeUserName(header));

    [Theory]
    [InlineData("ada lovelace+dev@example.com")]
    [InlineData("O'Neil, Jürgen (ext)")]
    [InlineData("100%+sure")]
    public void Whatever_Bitbucket_encodes_comes_back_as_the_same_name(string name) =>
        Assert.Equal(name, BitbucketIdentityClient.DecodeUserName(BitbucketFake.JavaUrlEncode(name)));
}
