using Portal.Core.OAuth.OAuth1;

namespace Portal.Tests.Core.OAuth1;

public sealed class KeyIssuerTests
{
    [Fact]
    public void Issued_keys_have_a_portal_consumer_key_and_a_matching_2048_bit_pair()
    {
        var keys = OAuth1KeyIssuer.Issue();

        Assert.Matches("^portal-[0-9a-f]{16}$", keys.ConsumerKey);
        var pair = OAuth1KeyPair.FromPrivateKeyPem(keys.PrivateKeyPem);
        Assert.Equal(pair.PublicKeyPem, keys.PublicKeyPem);
        using var rsa = pair.CreatePrivateKey();
        Assert.Equal(2048, rsa.KeySize);
    }

    [Fact]
    public void Each_issue_makes_new_keys()
    {
        var first = OAuth1KeyIssuer.Issue();
        var second = OAuth1KeyIssuer.Issue();

        Assert.NotEqual(first.ConsumerKey, second.ConsumerKey);
        Assert.NotEqual(first.PublicKeyPem, second.PublicKeyPem);
    }

    [Fact]
    public void Issued_keys_never_print_the_private_key()
    {
        Assert.DoesNotContain("PRIVATE", OAuth1KeyIssuer.Issue().ToString(), StringComparison.Ordinal);
    }
}
