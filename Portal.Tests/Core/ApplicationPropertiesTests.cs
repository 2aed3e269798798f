using System.Net;
using System.Text;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Tests.Core;

public sealed class ApplicationPropertiesTests
{
    private static BitbucketProbeResult Classify(string body)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        return ProbeResponseClassifier.Classify("https://bitbucket.example.com",
            new Uri("https://bitbucket.example.com/rest/api/1.0/application-properties"), response, body);
    }

    [Theory]
    [InlineData("""{"version":"8.9.1","buildNumber":"8009001","displayName":"Bitbucket"}""", "8.9.1")]
    [InlineData("""{"buildNumber":"8009001","displayName":"Bitbucket"}""", "8.9.1")]
    [InlineData("""{"version":"","buildNumber":"10000002","displayName":"Bitbucket"}""", "10.0.2")]
    [InlineData("""{"version":8.9,"displayName":"Bitbucket"}""", "8.9.0")]
    [InlineData("""{"version":"7.20.0","buildNumber":7020000,"displayName":"Bitbucket"}""", "7.20.0")]
    public void The_version_comes_from_version_else_from_the_build_number(string body, string expected)
    {
        var result = Classify(body);

        Assert.Null(result.Failure);
        Assert.Equal(expected, result.Version.ToString());
    }

    [Fact]
    public void Bitbucket_s_json_labelled_as_a_web_page_is_still_read()
    {
        const string body = """{"version":"8.9.1","buildNumber":"8009001","displayName":"Bitbucket"}""";
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "text/html") };

        var result = ProbeResponseClassifier.Classify("https://bitbucket.example.com", new Uri("https://bitbucket.example.com/rest/api/1.0/application-properties"), response, body);

        Assert.Null(result.Failure);
        Assert.Equal("8.9.1", result.Version.ToString());
    }

    [Fact]
    public async Task A_byte_order_mark_before_the_json_is_dropped_when_the_answer_is_read()
    {
        using var content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. """{"displayName":"Bitbucket"}"""u8.ToArray()]);

        var body = await Portal.Core.Connections.ResponseBody.ReadStartAsync(content, 1024, CancellationToken.None);

        Assert.Equal("""{"displayName":"Bitbucket"}""", body);
    }

    [Fact]
    public void An_answer_without_any_version_says_so()
    {
        var result = Classify("""{"displayName":"Bitbucket"}""");

        Assert.Equal(ProbeFailureKind.OtherServer, result.Failure);
        Assert.Contains("without its version (no \"version\" or \"buildNumber\" field)", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.ProxyAuthenticationRequired, "HTTPS_PROXY")]
    [InlineData(HttpStatusCode.TooManyRequests, "Rate limiting")]
    public void A_proxy_that_wants_credentials_and_a_rate_limit_are_named_instead_of_blaming_the_base_url(HttpStatusCode status, string fix)
    {
        using var response = new HttpResponseMessage(status) { Content = new StringContent("") };

        var result = ProbeResponseClassifier.Classify("https://bitbucket.example.com",
            new Uri("https://bitbucket.example.com/rest/api/1.0/application-properties"), response, "");

        Assert.Contains(fix, result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("points to Bitbucket", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_that_claims_a_compression_it_does_not_have_is_named_as_such()
    {
        // What automatic decompression hands over for "Content-Encoding: gzip" on a body that is not gzip.
        var handler = new Portal.Tests.Core.OAuth1.StubHttpHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new System.IO.Compression.GZipStream(new MemoryStream("""{"version":"8.9.1"}"""u8.ToArray()), System.IO.Compression.CompressionMode.Decompress)),
        });
        var probe = new BitbucketVersionProbe(new HttpClient(handler));

        var result = await probe.ProbeAsync("https://bitbucket.example.com", CancellationToken.None);

        Assert.Equal(ProbeFailureKind.OtherServer, result.Failure);
        Assert.Contains("cannot be decompressed", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oauth_2_metadata_answer_that_claims_a_compression_it_does_not_have_is_named_as_such()
    {
        var handler = new Portal.Tests.Core.OAuth1.StubHttpHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new System.IO.Compression.GZipStream(new MemoryStream("""{"issuer":"x"}"""u8.ToArray()), System.IO.Compression.CompressionMode.Decompress)),
        });
        var probe = new BitbucketVersionProbe(new HttpClient(handler));

        var check = await probe.CheckOAuth2ProviderAsync("https://bitbucket.example.com", CancellationToken.None);

        Assert.Equal(OAuth2ProviderFinding.Blocked, check.Finding);
        Assert.Contains("cannot be decompressed", check.Message, StringComparison.Ordinal);
    }
}
