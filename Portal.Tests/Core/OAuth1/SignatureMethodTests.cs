using System.Security.Cryptography;
using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Core.OAuth1;

public class SignatureMethodTests
{
    [Fact]
    public void Classic_photos_example_gives_the_published_hmac_sha1_signature()
    {
        // OAuth Core 1.0 Appendix A.5: GET photos with consumer dpf43f3p2l4k3l03 and token nnch734d00sl2jdk.
        const string expectedBaseString =
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03" +
            "%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096" +
            "%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal";
        var baseString = OAuth1SignatureBaseString.Create("GET",
            new Uri("http://photos.example.net/photos?file=vacation.jpg&size=original"), null,
            [
                new("oauth_consumer_key", "dpf43f3p2l4k3l03"),
                new("oauth_token", "nnch734d00sl2jdk"),
                new("oauth_signature_method", "HMAC-SHA1"),
                new("oauth_timestamp", "1191242096"),
                new("oauth_nonce", "kllo9940pd9333jh"),
                new("oauth_version", "1.0"),
            ]);

        Assert.Equal(expectedBaseString, baseString);
        Assert.Equal("tR3+Ty81lMeYAr/Fid0kMTYa/WM=", OAuth1SignatureMethod.HmacSha1(baseString, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"));
    }

    // oauth.net wiki TestCases, "HMAC-SHA1 (section 9.2)".
    [Theory]
    [InlineData("cs", "", "bs", "egQqG5AJep5sJ7anhXju1unge2I=")]
    [InlineData("cs", "ts", "bs", "VZVjXceV7JgPq/dOTnNmEfO0Fv8=")]
    public void Wiki_hmac_sha1_cases_are_reproduced(string consumerSecret, string tokenSecret, string baseString, string expected) =>
        Assert.Equal(expected, OAuth1SignatureMethod.HmacSha1(baseString, consumerSecret, tokenSecret));

    public static TheoryData<string, string, string?, KeyValuePair<string, string>[], string> Rfc5849Section1_2Examples => new()
    {
        {
            "POST", "https://photos.example.net/initiate", null,
            [
                new("realm", "Photos"), new("oauth_consumer_key", "dpf43f3p2l4k3l03"), new("oauth_signature_method", "HMAC-SHA1"),
                new("oauth_timestamp", "137131200"), new("oauth_nonce", "wIjqoS"), new("oauth_callback", "http://printer.example.com/ready"),
            ],
            "74KNZJeDHnMBp0EMJ9ZHt/XKycU="
        },
        {
            "POST", "https://photos.example.net/token", "hdhd0244k9j7ao03",
            [
                new("realm", "Photos"), new("oauth_consumer_key", "dpf43f3p2l4k3l03"), new("oauth_token", "hh5s93j4hdidpola"),
                new("oauth_signature_method", "HMAC-SHA1"), new("oauth_timestamp", "137131201"), new("oauth_nonce", "walatlh"),
                new("oauth_verifier", "hfdp7dh39dks9884"),
            ],
            "gKgrFCywp7rO0OXSjdot/IHF7IU="
        },
        {
            "GET", "http://photos.example.net/photos?file=vacation.jpg&size=original", "pfkkdhi9sl3r4s00",
            [
                new("realm", "Photos"), new("oauth_consumer_key", "dpf43f3p2l4k3l03"), new("oauth_token", "nnch734d00sl2jdk"),
                new("oauth_signature_method", "HMAC-SHA1"), new("oauth_timestamp", "137131202"), new("oauth_nonce", "chapoH"),
            ],
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        },
    };

    [Theory]
    [MemberData(nameof(Rfc5849Section1_2Examples))]
    public void Rfc5849_section_1_2_example_signatures_are_reproduced(
        string method, string url, string? tokenSecret, KeyValuePair<string, string>[] protocolParameters, string expected)
    {
        var baseString = OAuth1SignatureBaseString.Create(method, new Uri(url), null, protocolParameters);

        Assert.Equal(expected, OAuth1SignatureMethod.HmacSha1(baseString, "kd94hf93k423kf44", tokenSecret));
    }

    // OAuth Core 1.0 Appendix A.4.1 and A.5.1 send these PLAINTEXT signatures, percent-encoded in the request.
    [Theory]
    [InlineData("kd94hf93k423kf44", "", "kd94hf93k423kf44%26")]
    [InlineData("kd94hf93k423kf44", "hdhd0244k9j7ao03", "kd94hf93k423kf44%26hdhd0244k9j7ao03")]
    public void Plaintext_signatures_match_the_published_requests(string consumerSecret, string tokenSecret, string expectedOnTheWire) =>
        Assert.Equal(expectedOnTheWire, OAuth1Encoding.PercentEncode(OAuth1SignatureMethod.Plaintext(consumerSecret, tokenSecret)));

    [Fact]
    public void Wiki_rsa_sha1_example_base_string_and_signature_are_reproduced()
    {
        using var key = OAuth1KeyPair.ImportPrivateKey(PublishedVectors.RsaPrivateKeyPem);
        var baseString = OAuth1SignatureBaseString.Create("GET", new Uri(PublishedVectors.RsaUrl), null,
            [
                new("oauth_consumer_key", PublishedVectors.RsaConsumerKey),
                new("oauth_signature_method", "RSA-SHA1"),
                new("oauth_timestamp", "1196666512"),
                new("oauth_nonce", PublishedVectors.RsaNonce),
                new("oauth_version", "1.0"),
            ]);

        Assert.Equal(PublishedVectors.RsaBaseString, baseString);
        Assert.Equal(PublishedVectors.RsaSignature, OAuth1SignatureMethod.RsaSha1(baseString, key));
    }

    [Fact]
    public void Published_rsa_signature_verifies_with_the_published_public_key_and_certificate()
    {
        using var publicKey = OAuth1KeyPair.ImportPublicKey(PublishedVectors.RsaPublicKeyPem);
        using var fromCertificate = OAuth1KeyPair.ImportPublicKey(PublishedVectors.RsaCertificatePem);

        Assert.True(OAuth1SignatureMethod.VerifyRsaSha1(PublishedVectors.RsaBaseString, PublishedVectors.RsaSignature, publicKey));
        Assert.True(OAuth1SignatureMethod.VerifyRsaSha1(PublishedVectors.RsaBaseString, PublishedVectors.RsaSignature, fromCertificate));
        Assert.False(OAuth1SignatureMethod.VerifyRsaSha1(PublishedVectors.RsaBaseString + "x", PublishedVectors.RsaSignature, publicKey));
        Assert.False(OAuth1SignatureMethod.VerifyRsaSha1(PublishedVectors.RsaBaseString, "not base64!", publicKey));
    }

    [Fact]
    public void Rsa_sha1_is_pkcs1_v1_5_with_sha1_so_the_platform_verifier_accepts_it()
    {
        using var key = OAuth1KeyPair.ImportPrivateKey(PublishedVectors.RsaPrivateKeyPem);
        var signature = Convert.FromBase64String(OAuth1SignatureMethod.RsaSha1("abc", key));

        Assert.True(key.VerifyData("abc"u8, signature, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1));
    }
}
