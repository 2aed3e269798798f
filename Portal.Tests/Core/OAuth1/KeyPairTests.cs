using System.Text.RegularExpressions;
using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Core.OAuth1;

public class KeyPairTests
{
    [Fact]
    public void Generated_pair_is_2048_bit_rsa_with_spki_public_and_pkcs8_private_pem()
    {
        var pair = OAuth1KeyPair.Generate();

        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", pair.PublicKeyPem, StringComparison.Ordinal);
        Assert.EndsWith("-----END PUBLIC KEY-----", pair.PublicKeyPem.TrimEnd(), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pair.PrivateKeyPem, StringComparison.Ordinal);
        using var privateKey = pair.CreatePrivateKey();
        using var publicKey = OAuth1KeyPair.ImportPublicKey(pair.PublicKeyPem);
        Assert.Equal(2048, privateKey.KeySize);
        Assert.Equal(2048, publicKey.KeySize);
    }

    [Fact]
    public void A_signature_made_with_the_private_key_verifies_with_the_exported_public_key()
    {
        var pair = OAuth1KeyPair.Generate();
        using var privateKey = pair.CreatePrivateKey();
        using var publicKey = OAuth1KeyPair.ImportPublicKey(pair.PublicKeyPem);

        var signature = OAuth1SignatureMethod.RsaSha1("base string", privateKey);

        Assert.True(OAuth1SignatureMethod.VerifyRsaSha1("base string", signature, publicKey));
        Assert.False(OAuth1SignatureMethod.VerifyRsaSha1("base string", signature, OAuth1KeyPair.ImportPublicKey(PublishedVectors.RsaPublicKeyPem)));
    }

    [Fact]
    public void Public_key_is_derived_again_from_a_stored_private_key()
    {
        var pair = OAuth1KeyPair.Generate();

        var restored = OAuth1KeyPair.FromPrivateKeyPem(pair.PrivateKeyPem);

        Assert.Equal(pair.PublicKeyPem, restored.PublicKeyPem);
        Assert.Equal(
            OAuth1KeyPair.FromPrivateKeyPem(PublishedVectors.RsaPrivateKeyPem).PublicKeyPem.ReplaceLineEndings("\n").Trim(),
            PublishedVectors.RsaPublicKeyPem.ReplaceLineEndings("\n").Trim());
    }

    [Fact]
    public void A_public_key_is_refused_where_a_private_key_is_needed() =>
        Assert.ThrowsAny<ArgumentException>(() => OAuth1KeyPair.ImportPrivateKey(PublishedVectors.RsaPublicKeyPem));

    [Fact]
    public void ToString_hides_the_private_key() =>
        Assert.DoesNotContain("PRIVATE", OAuth1KeyPair.Generate().ToString(), StringComparison.Ordinal);

    [Fact]
    public void Consumer_keys_are_portal_prefixed_random_hex()
    {
        var first = OAuth1ConsumerKey.Generate();

        Assert.Matches(new Regex("^portal-[0-9a-f]{16}$"), first);
        Assert.NotEqual(first, OAuth1ConsumerKey.Generate());
    }
}
