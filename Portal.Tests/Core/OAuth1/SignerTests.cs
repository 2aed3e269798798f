using System.Text.RegularExpressions;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Tests.Fakes;

namespace Portal.Tests.Core.OAuth1;

public class SignerTests
{
    [Fact]
    public void Wiki_rsa_sha1_example_produces_the_published_authorization_header()
    {
        using var key = OAuth1KeyPair.ImportPrivateKey(PublishedVectors.RsaPrivateKeyPem);
        var credentials = new OAuth1Credentials(new OAuth1Consumer(PublishedVectors.RsaConsumerKey, key));

        var header = OAuth1Signer.CreateAuthorizationHeader(HttpMethod.Get, new Uri(PublishedVectors.RsaUrl), null, credentials,
            null, PublishedVectors.RsaNonce, PublishedVectors.RsaTimestamp);

        Assert.Equal(
            "OAuth realm=\"\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_signature_method=\"RSA-SHA1\", " +
            "oauth_timestamp=\"1196666512\", oauth_nonce=\"13917289812797014437\", oauth_version=\"1.0\", " +
            "oauth_signature=\"jvTp%2FwX1TYtByB1m%2BPbyo0lnCOLIsyGCH7wke8AUs3BpnwZJtAuEJkvQL2%2F9n4s5wUmUl4aCI4BwpraNx4RtEXMe5qg5T1LVTGliMRpKasKsW%2F%2Fe%2BRinhejgCuzoH26dyF8iY2ZZ%2F5D1ilgeijhV%2FvBka5twt399mXwaYdCwFYE%3D\"",
            header);
    }

    [Fact]
    public void Timestamp_comes_from_the_injected_clock_and_each_request_gets_a_fresh_random_nonce()
    {
        using var key = OAuth1KeyPair.ImportPrivateKey(PublishedVectors.RsaPrivateKeyPem);
        var credentials = new OAuth1Credentials(new OAuth1Consumer("portal-0123456789abcdef", key));
        var signer = new OAuth1Signer(new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000)));
        var url = new Uri("https://bitbucket.example.com/plugins/servlet/oauth/request-token");

        var first = Parameters(signer.CreateAuthorizationHeader(HttpMethod.Post, url, null, credentials));
        var second = Parameters(signer.CreateAuthorizationHeader(HttpMethod.Post, url, null, credentials));

        Assert.Equal("1800000000", first["oauth_timestamp"]);
        Assert.Matches(new Regex("^[0-9a-f]{32}$"), first["oauth_nonce"]);
        Assert.NotEqual(first["oauth_nonce"], second["oauth_nonce"]);
    }

    [Fact]
    public void Token_and_extra_protocol_parameters_are_sent_encoded_and_signed()
    {
        var now = DateTimeOffset.Parse("2026-11-28T12:00:00Z");
        var pair = OAuth1KeyPair.Generate();
        using var key = pair.CreatePrivateKey();
        using var publicKey = OAuth1KeyPair.ImportPublicKey(pair.PublicKeyPem);
        var credentials = new OAuth1Credentials(new OAuth1Consumer("portal-0123456789abcdef", key), "request token", "secret");
        var url = "https://bitbucket.example.com/bitbucket/plugins/servlet/oauth/access-token";

        var header = new OAuth1Signer(new FixedTimeProvider(now)).CreateAuthorizationHeader(
            HttpMethod.Post, new Uri(url), null, credentials, [new("oauth_verifier", "a&b c")]);

        Assert.Contains("oauth_token=\"request%20token\"", header, StringComparison.Ordinal);
        Assert.Contains("oauth_verifier=\"a%26b%20c\"", header, StringComparison.Ordinal);
        var result = new OAuth1SignatureVerifier().Verify("POST", url, null, header, publicKey, now);
        Assert.True(result.Succeeded, result.Problem);
        Assert.Equal("a&b c", result["oauth_verifier"]);
    }

    private static Dictionary<string, string> Parameters(string header) =>
        OAuth1AuthorizationHeader.Parse(header)!.ToDictionary(p => p.Key, p => p.Value);
}
