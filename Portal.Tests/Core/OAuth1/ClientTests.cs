using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Tests.Fakes;

namespace Portal.Tests.Core.OAuth1;

public class ClientTests : IDisposable
{
    private const string BaseUrl = "https://bitbucket.example.com/bitbucket/";
    private const string CallbackUrl = "https://portal.example.com/signin/oauth1/callback/7";
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T12:00:00Z");
    private static readonly OAuth1KeyPair Pair = OAuth1KeyPair.Generate();

    private readonly System.Security.Cryptography.RSA privateKey = Pair.CreatePrivateKey();
    private readonly System.Security.Cryptography.RSA publicKey = OAuth1KeyPair.ImportPublicKey(Pair.PublicKeyPem);
    private readonly OAuth1SignatureVerifier verifier = new();
    private readonly FixedTimeProvider clock = new(Now);

    private OAuth1Consumer Consumer => new("portal-0123456789abcdef", privateKey);

    public void Dispose()
    {
        privateKey.Dispose();
        publicKey.Dispose();
    }

    private (OAuth1Client Client, StubHttpHandler Handler) ClientAnswering(Func<HttpRequestMessage, HttpResponseMessage> respond)
    {
        var handler = new StubHttpHandler(respond);
        return (new OAuth1Client(new HttpClient(handler), clock), handler);
    }

    private static HttpResponseMessage Text(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };

    private OAuth1VerificationResult VerifyRecorded(StubHttpHandler handler, int index = 0)
    {
        var (method, url, authorization, _) = handler.Requests[index];
        return verifier.Verify(method.Method, url.AbsoluteUri, null, authorization, publicKey, Now);
    }

    [Fact]
    public async Task Request_token_is_fetched_with_a_signed_post_carrying_the_callback()
    {
        var (client, handler) = ClientAnswering(_ =>
            Text(HttpStatusCode.OK, "oauth_token=rEqToKeN&oauth_token_secret=s3cr3t&oauth_callback_confirmed=true"));

        var result = await client.GetRequestTokenAsync(BaseUrl, Consumer, CallbackUrl, CancellationToken.None);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal(new OAuth1RequestToken("rEqToKeN", "s3cr3t", true), result.Value);
        var sent = handler.Requests.Single();
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("https://bitbucket.example.com/bitbucket/plugins/servlet/oauth/request-token", sent.Url.AbsoluteUri);
        var verification = VerifyRecorded(handler);
        Assert.True(verification.Succeeded, verification.Problem);
        Assert.Equal(CallbackUrl, verification["oauth_callback"]);
        Assert.Equal("portal-0123456789abcdef", verification["oauth_consumer_key"]);
        Assert.Null(verification["oauth_token"]);
    }

    [Fact]
    public void Authorize_url_keeps_the_context_path_and_carries_the_request_token() =>
        Assert.Equal("https://bitbucket.example.com/bitbucket/plugins/servlet/oauth/authorize?oauth_token=a%2Bb",
            OAuth1Client.GetAuthorizeUrl(BaseUrl, new OAuth1RequestToken("a+b", "s", true)).AbsoluteUri);

    [Fact]
    public async Task Access_token_is_fetched_with_the_request_token_and_verifier()
    {
        var (client, handler) = ClientAnswering(_ => Text(HttpStatusCode.OK,
            "oauth_token=AcCeSs&oauth_token_secret=t0k3n&oauth_expires_in=157680000&oauth_session_handle=h&oauth_authorization_expires_in=160272000"));

        var result = await client.GetAccessTokenAsync(BaseUrl, Consumer, new OAuth1RequestToken("rEqToKeN", "s3cr3t", true), "v3r1f", CancellationToken.None);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal("AcCeSs", result.Value.Token);
        Assert.Equal(TimeSpan.FromDays(1825), result.Value.ExpiresIn);
        Assert.Equal("https://bitbucket.example.com/bitbucket/plugins/servlet/oauth/access-token", handler.Requests.Single().Url.AbsoluteUri);
        var verification = VerifyRecorded(handler);
        Assert.True(verification.Succeeded, verification.Problem);
        Assert.Equal("rEqToKeN", verification["oauth_token"]);
        Assert.Equal("v3r1f", verification["oauth_verifier"]);
    }

    [Fact]
    public async Task Clock_skew_reported_in_www_authenticate_becomes_a_timestamp_error_with_both_clocks()
    {
        var (client, _) = ClientAnswering(_ =>
        {
            var response = Text(HttpStatusCode.Unauthorized, "oauth_problem=timestamp_refused");
            response.Headers.WwwAuthenticate.ParseAdd("OAuth realm=\"https%3A%2F%2Fbitbucket.example.com%2Fbitbucket\", oauth_problem=\"timestamp_refused\"");
            response.Headers.Date = Now.AddMinutes(-9);
            return response;
        });

        var result = await client.GetRequestTokenAsync(BaseUrl, Consumer, CallbackUrl, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(OAuth1ErrorKind.TimestampRefused, result.Error.Kind);
        Assert.Equal(401, result.Error.StatusCode);
        Assert.Contains("Portal clock: 2026-11-28 12:00:00 UTC", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("Bitbucket clock: 2026-11-28 11:51:00 UTC", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("Difference: 9 min (the portal's clock is ahead)", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Problem_reported_only_in_the_body_is_mapped()
    {
        var (client, _) = ClientAnswering(_ => Text(HttpStatusCode.Unauthorized, "oauth_problem=consumer_key_unknown"));

        var result = await client.GetRequestTokenAsync(BaseUrl, Consumer, CallbackUrl, CancellationToken.None);

        Assert.Equal(OAuth1ErrorKind.ConsumerKeyUnknown, result.Error!.Kind);
        Assert.Contains("portal-0123456789abcdef", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bitbucket_like_fake_refusing_a_stale_clock_is_reported_as_timestamp_refused()
    {
        var serverNow = Now.AddMinutes(20);
        var (client, _) = ClientAnswering(request =>
        {
            var verification = verifier.Verify(request.Method.Method, request.RequestUri!.AbsoluteUri, null,
                request.Headers.Authorization?.ToString(), publicKey, serverNow);
            var response = Text(HttpStatusCode.BadRequest, verification.ToFormBody());
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", verification.ToWwwAuthenticate("https://bitbucket.example.com/bitbucket"));
            return response;
        });

        var result = await client.GetRequestTokenAsync(BaseUrl, Consumer, CallbackUrl, CancellationToken.None);

        Assert.Equal(OAuth1ErrorKind.TimestampRefused, result.Error!.Kind);
        Assert.Contains("Bitbucket clock: 2026-11-28 12:20:00 UTC (from the timestamps it accepts)", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_found_without_problem_points_at_the_context_path()
    {
        var (client, _) = ClientAnswering(_ => Text(HttpStatusCode.NotFound, "<html>Not Found</html>"));

        var result = await client.GetRequestTokenAsync(BaseUrl, Consumer, CallbackUrl, CancellationToken.None);

        Assert.Equal(OAuth1ErrorKind.UnexpectedResponse, result.Error!.Kind);
        Assert.Contains("404", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("context path", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_login_page_instead_of_tokens_is_an_unexpected_response()
    {
        var (client, _) = ClientAnswering(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent("<html>Log in</html>", Encoding.UTF8, "text/html"),
        });

        var result = await client.GetAccessTokenAsync(BaseUrl, Consumer, new OAuth1RequestToken("r", "s", true), "v", CancellationToken.None);

        Assert.Equal(OAuth1ErrorKind.UnexpectedResponse, result.Error!.Kind);
        Assert.Contains("text/html", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_refused_is_a_network_failure_value_not_an_exception()
    {
        var (client, _) = ClientAnswering(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));

        var result = await client.GetRequestTokenAsync(BaseUrl, Consumer, CallbackUrl, CancellationToken.None);

        Assert.Equal(OAuth1ErrorKind.NetworkFailure, result.Error!.Kind);
        Assert.Contains("could not connect to bitbucket.example.com", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_thrown()
    {
        var (client, _) = ClientAnswering(_ => Text(HttpStatusCode.OK, ""));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.GetRequestTokenAsync(BaseUrl, Consumer, CallbackUrl, cancelled.Token));
    }

    [Fact]
    public async Task Signed_get_carries_the_access_token_and_signs_the_query()
    {
        var (client, handler) = ClientAnswering(_ => Text(HttpStatusCode.OK, "{}"));
        var credentials = new OAuth1AccessToken("AcCeSs", "t0k3n", null, null, null).ToCredentials(Consumer);
        const string url = "https://bitbucket.example.com/bitbucket/rest/api/1.0/users?filter=j%20doe&avatarSize=64";

        using var response = await client.SendSignedAsync(HttpMethod.Get, url, credentials, CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var verification = VerifyRecorded(handler);
        Assert.True(verification.Succeeded, verification.Problem);
        Assert.Equal("AcCeSs", verification["oauth_token"]);
        var tampered = new OAuth1SignatureVerifier().Verify(
            "GET", url.Replace("j%20doe", "admin", StringComparison.Ordinal), null, handler.Requests[0].Authorization, publicKey, Now);
        Assert.Equal("signature_invalid", tampered.Problem);
    }

    [Fact]
    public async Task A_rejected_signed_request_is_described_by_ReadErrorAsync()
    {
        var (client, _) = ClientAnswering(_ =>
        {
            var response = Text(HttpStatusCode.Unauthorized, "");
            response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("OAuth", "realm=\"x\", oauth_problem=\"token_rejected\""));
            return response;
        });
        var credentials = new OAuth1Credentials(Consumer, "revoked", "s");

        using var response = await client.SendSignedAsync(HttpMethod.Get, BaseUrl + "rest/api/1.0/application-properties", credentials, CancellationToken.None);
        var error = await client.ReadErrorAsync(response, Consumer.ConsumerKey, CancellationToken.None);

        Assert.Equal(OAuth1ErrorKind.TokenRejected, error.Kind);
    }

    [Fact]
    public async Task An_answer_naming_a_charset_dotnet_does_not_know_is_read_as_utf8()
    {
        // "utf8" without the hyphen, as some proxies and servlet containers write it; ReadAsStringAsync throws on it.
        static HttpResponseMessage Utf8Without(HttpStatusCode status, string body)
        {
            var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
            response.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain; charset=utf8");
            return response;
        }
        var (client, _) = ClientAnswering(request => request.RequestUri!.AbsolutePath.EndsWith("request-token", StringComparison.Ordinal)
            ? Utf8Without(HttpStatusCode.OK, "oauth_token=rEqToKeN&oauth_token_secret=s3cr3t&oauth_callback_confirmed=true")
            : Utf8Without(HttpStatusCode.Unauthorized, "oauth_problem=consumer_key_unknown"));

        var token = await client.GetRequestTokenAsync(BaseUrl, Consumer, CallbackUrl, CancellationToken.None);
        using var refused = await client.SendSignedAsync(HttpMethod.Get, BaseUrl + "rest/api/1.0/application-properties", new OAuth1Credentials(Consumer, "t", "s"), CancellationToken.None);
        var error = await client.ReadErrorAsync(refused, Consumer.ConsumerKey, CancellationToken.None);

        Assert.True(token.Succeeded, token.Error?.Message);
        Assert.Equal("rEqToKeN", token.Value!.Token);
        Assert.Equal(OAuth1ErrorKind.ConsumerKeyUnknown, error.Kind);
    }

    [Fact]
    public async Task A_host_that_refuses_sha1_signatures_is_named_as_the_cause_instead_of_failing_the_request()
    {
        var (client, handler) = ClientAnswering(_ => Text(HttpStatusCode.OK, "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true"));
        using var refusingKey = new Sha1RefusingKey();

        var result = await client.GetRequestTokenAsync(BaseUrl, new OAuth1Consumer("portal-0123456789abcdef", refusingKey), CallbackUrl, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(OAuth1ErrorKind.SigningRefusedByHost, result.Error!.Kind);
        Assert.Contains("update-crypto-policies", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(Portal.Core.OAuth.SignInErrorKind.IntegrationMisconfigured, OAuth1SignInProtocol.KindOf(result.Error));
        Assert.Empty(handler.Requests);
    }

    /// <summary>Signs as OpenSSL does under RHEL 9's DEFAULT crypto policy: SHA-1 signatures are refused.</summary>
    private sealed class Sha1RefusingKey : System.Security.Cryptography.RSA
    {
        public override System.Security.Cryptography.RSAParameters ExportParameters(bool includePrivateParameters) => throw new NotSupportedException();

        public override void ImportParameters(System.Security.Cryptography.RSAParameters parameters) => throw new NotSupportedException();

        public override byte[] SignData(byte[] data, int offset, int count, System.Security.Cryptography.HashAlgorithmName hashAlgorithm,
            System.Security.Cryptography.RSASignaturePadding padding) =>
            throw new System.Security.Cryptography.CryptographicException("error:03000098:digital envelope routines::invalid digest");
    }
}
