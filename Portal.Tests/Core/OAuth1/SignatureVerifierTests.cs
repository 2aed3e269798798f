using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Tests.Fakes;

namespace Portal.Tests.Core.OAuth1;

public class SignatureVerifierTests
{
    private const string Url = "https://bitbucket.example.com/bitbucket/rest/api/1.0/users?filter=jdoe";
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T12:00:00Z");
    private static readonly OAuth1KeyPair Pair = OAuth1KeyPair.Generate();

    private static string Sign(DateTimeOffset clock, string nonce = "n0nce", string url = Url)
    {
        using var key = Pair.CreatePrivateKey();
        var credentials = new OAuth1Credentials(new OAuth1Consumer("portal-0123456789abcdef", key), "access", "secret");
        return OAuth1Signer.CreateAuthorizationHeader(HttpMethod.Get, new Uri(url), null, credentials, null, nonce, clock.ToUnixTimeSeconds());
    }

    private static OAuth1VerificationResult Verify(OAuth1SignatureVerifier verifier, string header, DateTimeOffset now, string url = Url)
    {
        using var publicKey = OAuth1KeyPair.ImportPublicKey(Pair.PublicKeyPem);
        return verifier.Verify("GET", url, null, header, publicKey, now);
    }

    [Fact]
    public void A_request_signed_by_the_portal_is_accepted_and_its_parameters_exposed()
    {
        var result = Verify(new OAuth1SignatureVerifier(), Sign(Now), Now);

        Assert.True(result.Succeeded, result.Problem);
        Assert.Equal("access", result["oauth_token"]);
        Assert.Equal("portal-0123456789abcdef", OAuth1SignatureVerifier.ConsumerKeyOf(Sign(Now, "other")));
    }

    [Fact]
    public void The_published_rsa_sha1_request_verifies_with_the_published_public_key()
    {
        var header = "OAuth oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_signature_method=\"RSA-SHA1\", " +
                     "oauth_timestamp=\"1196666512\", oauth_nonce=\"13917289812797014437\", oauth_version=\"1.0\", " +
                     $"oauth_signature=\"{OAuth1Encoding.PercentEncode(PublishedVectors.RsaSignature)}\"";
        using var publicKey = OAuth1KeyPair.ImportPublicKey(PublishedVectors.RsaCertificatePem);

        var result = new OAuth1SignatureVerifier().Verify("GET", PublishedVectors.RsaUrl, null, header, publicKey,
            DateTimeOffset.FromUnixTimeSeconds(PublishedVectors.RsaTimestamp));

        Assert.True(result.Succeeded, result.Problem);
    }

    [Fact]
    public void A_key_other_than_the_pasted_one_gives_signature_invalid()
    {
        using var otherKey = OAuth1KeyPair.ImportPublicKey(PublishedVectors.RsaPublicKeyPem);

        var result = new OAuth1SignatureVerifier().Verify("GET", Url, null, Sign(Now), otherKey, Now);

        Assert.Equal("signature_invalid", result.Problem);
    }

    [Fact]
    public void A_changed_url_gives_signature_invalid() =>
        Assert.Equal("signature_invalid", Verify(new OAuth1SignatureVerifier(), Sign(Now), Now, Url.Replace("jdoe", "admin", StringComparison.Ordinal)).Problem);

    [Fact]
    public void Timestamps_more_than_five_minutes_off_are_refused_with_the_acceptable_range()
    {
        var verifier = new OAuth1SignatureVerifier();

        Assert.True(Verify(verifier, Sign(Now.AddMinutes(-5), "a"), Now).Succeeded);
        Assert.True(Verify(verifier, Sign(Now.AddMinutes(5), "b"), Now).Succeeded);
        var refused = Verify(verifier, Sign(Now.AddMinutes(-5).AddSeconds(-1), "c"), Now);

        Assert.Equal("timestamp_refused", refused.Problem);
        var nowSeconds = Now.ToUnixTimeSeconds();
        Assert.Contains(new KeyValuePair<string, string>("oauth_acceptable_timestamps", $"{nowSeconds - 300}-{nowSeconds + 300}"), refused.ProblemParameters);
        Assert.Equal("timestamp_refused", Verify(verifier, Sign(Now.AddMinutes(6), "d"), Now).Problem);
    }

    [Fact]
    public void A_reused_nonce_is_refused_until_it_expires()
    {
        var verifier = new OAuth1SignatureVerifier();
        var header = Sign(Now, "same");

        Assert.True(Verify(verifier, header, Now).Succeeded);
        Assert.Equal("nonce_used", Verify(verifier, header, Now.AddSeconds(10)).Problem);
        Assert.True(Verify(verifier, Sign(Now.AddMinutes(5), "same"), Now.AddMinutes(5)).Succeeded);
    }

    [Fact]
    public void Signature_methods_other_than_rsa_sha1_are_rejected()
    {
        var header = OAuth1AuthorizationHeader.Format(
        [
            new("oauth_consumer_key", "portal-0123456789abcdef"), new("oauth_signature_method", "HMAC-SHA1"),
            new("oauth_timestamp", Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("oauth_nonce", "n"), new("oauth_signature", "x"),
        ]);

        Assert.Equal("signature_method_rejected", Verify(new OAuth1SignatureVerifier(), header, Now).Problem);
    }

    [Fact]
    public void Missing_parameters_are_reported_as_absent_in_the_bitbucket_form()
    {
        var result = Verify(new OAuth1SignatureVerifier(), "OAuth oauth_consumer_key=\"k\"", Now);

        Assert.Equal("parameter_absent", result.Problem);
        Assert.Equal(
            "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_signature_method%26oauth_signature%26oauth_timestamp%26oauth_nonce",
            result.ToFormBody());
        Assert.StartsWith("OAuth realm=\"https%3A%2F%2Fbitbucket.example.com\", oauth_problem=\"parameter_absent\"",
            result.ToWwwAuthenticate("https://bitbucket.example.com"), StringComparison.Ordinal);
    }
}
