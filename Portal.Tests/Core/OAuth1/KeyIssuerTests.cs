using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.OAuth1;

/// <summary>The OAuth 1 keys Bitbucket's platform issues for a new integration (<see cref="IOAuth1Platform.NewOAuth1Keys"/>).</summary>
public sealed class KeyIssuerTests
{
    private static OAuth1Keys Issue() => ((IOAuth1Platform)TestPlatforms.BitbucketOnly().All[0]).NewOAuth1Keys();

    [Fact]
    public void Issued_keys_have_a_portal_consumer_key_and_a_matching_2048_bit_pair()
    {
        var keys = Issue();

        Assert.Matches("^portal-[0-9a-f]{16}$", keys.ConsumerKey);
        var pair = OAuth1KeyPair.FromPrivateKeyPem(keys.PrivateKeyPem);
        Assert.Equal(pair.PublicKeyPem, keys.PublicKeyPem);
        using var rsa = pair.CreatePrivateKey();
        Assert.Equal(2048, rsa.KeySize);
    }

    [Fact]
    public void Each_issue_makes_new_keys()
    {
        var first = Issue();
        var second = Issue();

        Assert.NotEqual(first.ConsumerKey, second.ConsumerKey);
        Assert.NotEqual(first.PublicKeyPem, second.PublicKeyPem);
    }

    [Fact]
    public void Issued_keys_never_print_the_private_key()
    {
        Assert.DoesNotContain("PRIVATE", Issue().ToString(), StringComparison.Ordinal);
    }
}
