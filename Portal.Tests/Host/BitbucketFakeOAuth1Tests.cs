using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// The Bitbucket fake's OAuth 1.0a provider behaves as shared/docs/bitbucket-protocol.md §4 says, driven by the
/// portal's own <see cref="OAuth1Client"/> (behind a context path, so the signed URLs include it).
/// </summary>
public sealed class BitbucketFakeOAuth1Tests : IAsyncLifetime
{
    private const string Callback = "https://portal.example.com/signin/callback/abc?x=1";
    private static readonly OAuth1KeyPair Pair = OAuth1KeyPair.Generate();
    private readonly HttpClient http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
    private readonly RSA privateKey = Pair.CreatePrivateKey();
    private readonly ShiftableTimeProvider fakeClock = new();
    private BitbucketFake fake = null!;
    private OAuth1Client client = null!;
    private OAuth1Consumer consumer = null!;

    public async Task InitializeAsync()
    {
        fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket", Version = "7.17.0" });
        fake.Clock = fakeClock;
        fake.ConsentingUser = BitbucketFakeUser.AdaByEmail;
        consumer = new OAuth1Consumer(OAuth1ConsumerKey.Generate(), privateKey);
        fake.RegisterOAuth1Consumer(consumer.ConsumerKey, Pair.PublicKeyPem);
        client = new OAuth1Client(http, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        privateKey.Dispose();
        await fake.DisposeAsync();
    }

    [Fact]
    public async Task The_three_legs_give_an_access_token_that_signs_requests_as_the_user()
    {
        var requestToken = await client.GetRequestTokenAsync(fake.BaseUrl, consumer, Callback, CancellationToken.None);
        Assert.True(requestToken.Succeeded, requestToken.Error?.Message);
        Assert.True(requestToken.Value.CallbackConfirmed);

        var verifier = await AuthorizeAsync(requestToken.Value);
        var access = await client.GetAccessTokenAsync(fake.BaseUrl, consumer, requestToken.Value, verifier, CancellationToken.None);

        Assert.True(access.Succeeded, access.Error?.Message);
        Assert.Equal(BitbucketFake.OAuth1AccessTokenLifetime, access.Value.ExpiresIn);
        Assert.Equal(BitbucketFake.OAuth1SessionLifetime, access.Value.AuthorizationExpiresIn);
        Assert.False(string.IsNullOrEmpty(access.Value.SessionHandle));
        Assert.True(fake.IsOAuth1AccessTokenActive(access.Value.Token));

        using var signed = await client.SendSignedAsync(HttpMethod.Get, BitbucketEndpoints.ApplicationProperties(fake.BaseUrl),
            access.Value.ToCredentials(consumer), CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal("ada%40example.com", Assert.Single(signed.Headers.GetValues("X-AUSERNAME")));
        Assert.Equal("103", Assert.Single(signed.Headers.GetValues("X-AUSERID")));
        var resource = fake.OAuth1Requests[^1];
        Assert.Equal(("resource", 103L), (resource.Endpoint, resource.AuthenticatedUserId));

        // The request token was swapped for the access token: a second exchange is refused.
        var again = await client.GetAccessTokenAsync(fake.BaseUrl, consumer, requestToken.Value, verifier, CancellationToken.None);
        Assert.Equal("token_rejected", again.Error?.Problem);
    }

    [Fact]
    public async Task A_signed_request_Bitbucket_refuses_is_blocked_with_its_oauth_problem_never_served_anonymously()
    {
        var access = await SignInAsync();
        using var otherKey = OAuth1KeyPair.Generate().CreatePrivateKey();
        var url = BitbucketEndpoints.ApplicationProperties(fake.BaseUrl);
        var valid = access.ToCredentials(consumer);

        var forged = await SendSignedAsync(url, new OAuth1Credentials(new OAuth1Consumer(consumer.ConsumerKey, otherKey), access.Token, access.TokenSecret));
        var unknown = await SendSignedAsync(url, new OAuth1Credentials(consumer, "not-a-token", "secret"));
        var replayed = await ReplayAsync(url, valid);
        fakeClock.Advance(TimeSpan.FromMinutes(10));
        var skewed = await SendSignedAsync(url, valid);
        fakeClock.Advance(BitbucketFake.OAuth1AccessTokenLifetime);
        var expired = await SendSignedAsync(url, valid);

        Assert.Equal(
            [(401, "signature_invalid"), (401, "token_rejected"), (401, "nonce_used"), (400, "timestamp_refused"), (401, "token_expired")],
            new[] { forged, unknown, replayed, skewed, expired }.Select(r => (r.Status, r.Problem)));
        Assert.All(new[] { forged, unknown, replayed, skewed, expired }, r =>
        {
            Assert.StartsWith($"OAuth realm=\"{OAuth1Encoding.PercentEncode(fake.BaseUrl)}\", oauth_problem=\"{r.Problem}\"", r.WwwAuthenticate, StringComparison.Ordinal);
            Assert.StartsWith($"oauth_problem={r.Problem}", r.Body, StringComparison.Ordinal);
            Assert.False(r.Named, "A refused request must not be made as anybody.");
        });
        Assert.Contains("oauth_acceptable_timestamps=", skewed.Body, StringComparison.Ordinal);
        Assert.Equal([null, null, 103L, null, null, null], fake.OAuth1Requests.Where(r => r.Endpoint == "resource").Select(r => r.AuthenticatedUserId));
    }

    [Fact]
    public void Public_keys_are_read_as_Bitbucket_reads_them_a_PUBLIC_KEY_or_a_certificate_but_not_an_RSA_PUBLIC_KEY()
    {
        using var rsa = Pair.CreatePrivateKey();
        var request = new CertificateRequest("CN=portal", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        // What the portal shows for pasting is SubjectPublicKeyInfo.
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", Pair.PublicKeyPem, StringComparison.Ordinal);
        fake.RegisterOAuth1Consumer("portal-spki", Pair.PublicKeyPem);
        fake.RegisterOAuth1Consumer("portal-certificate", certificate.ExportCertificatePem());
        var pkcs1 = rsa.ExportRSAPublicKeyPem();
        Assert.StartsWith("-----BEGIN RSA PUBLIC KEY-----", pkcs1, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => fake.RegisterOAuth1Consumer("portal-pkcs1", pkcs1));
        Assert.Throws<ArgumentException>(() => fake.RegisterOAuth1Consumer("portal-private", Pair.PrivateKeyPem));
    }

    [Fact]
    public async Task A_consumer_registered_with_a_certificate_signs_in()
    {
        using var rsa = Pair.CreatePrivateKey();
        var request = new CertificateRequest("CN=portal", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        fake.RegisterOAuth1Consumer(consumer.ConsumerKey, certificate.ExportCertificatePem());

        var access = await SignInAsync();

        Assert.True(fake.IsOAuth1AccessTokenActive(access.Token));
    }

    [Fact]
    public async Task Access_token_refuses_undecided_denied_and_wrongly_verified_request_tokens()
    {
        var undecided = (await client.GetRequestTokenAsync(fake.BaseUrl, consumer, Callback, CancellationToken.None)).Value!;
        Assert.Equal("permission_unknown", (await client.GetAccessTokenAsync(fake.BaseUrl, consumer, undecided, "abcdef", CancellationToken.None)).Error?.Problem);

        await AuthorizeAsync(undecided);
        Assert.Equal("token_rejected", (await client.GetAccessTokenAsync(fake.BaseUrl, consumer, undecided, "wrong1", CancellationToken.None)).Error?.Problem);

        fake.DenyConsent = true;
        var denied = (await client.GetRequestTokenAsync(fake.BaseUrl, consumer, Callback, CancellationToken.None)).Value!;
        Assert.Equal(OAuth1Callback.DeniedVerifier, await AuthorizeAsync(denied));
        var refused = await client.GetAccessTokenAsync(fake.BaseUrl, consumer, denied, OAuth1Callback.DeniedVerifier, CancellationToken.None);
        Assert.Equal(OAuth1ErrorKind.PermissionDenied, refused.Error?.Kind);
    }

    [Fact]
    public async Task Problems_come_as_401_or_400_with_WWW_Authenticate_and_a_form_body_and_the_Date_shows_the_fake_clock()
    {
        fakeClock.Advance(TimeSpan.FromMinutes(10));
        using var unknownKey = new HttpRequestMessage(HttpMethod.Post, OAuth1Endpoints.RequestToken(fake.BaseUrl));
        unknownKey.Headers.TryAddWithoutValidation("Authorization", new OAuth1Signer(TimeProvider.System).CreateAuthorizationHeader(
            HttpMethod.Post, OAuth1Endpoints.RequestToken(fake.BaseUrl), null, new OAuth1Credentials(new OAuth1Consumer("portal-unknown", privateKey)),
            [new("oauth_callback", Callback)]));

        using var response = await http.SendAsync(unknownKey);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"OAuth realm=\"{OAuth1Encoding.PercentEncode(fake.BaseUrl)}\", oauth_problem=\"consumer_key_unknown\"",
            Assert.Single(response.Headers.GetValues("WWW-Authenticate")));
        Assert.Equal("oauth_problem=consumer_key_unknown", await response.Content.ReadAsStringAsync());
        Assert.InRange(response.Headers.Date!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));

        // The known consumer, whose timestamp is now 10 minutes behind the fake's clock: net.oauth answers that with 400.
        var skewed = await client.GetRequestTokenAsync(fake.BaseUrl, consumer, Callback, CancellationToken.None);
        Assert.Equal(OAuth1ErrorKind.TimestampRefused, skewed.Error?.Kind);
        Assert.Equal(400, skewed.Error!.StatusCode);
        Assert.Equal((400, "timestamp_refused"), (fake.OAuth1Requests[^1].Status, fake.OAuth1Requests[^1].Problem));
        Assert.InRange(skewed.Error!.ServerClock!.Value - skewed.Error.PortalClock!.Value, TimeSpan.FromSeconds(595), TimeSpan.FromSeconds(605));
    }

    [Fact]
    public async Task Request_token_answers_text_plain_refuses_a_relative_callback_and_its_GET_is_an_empty_200()
    {
        using var post = await PostRequestTokenAsync(Callback);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("text/plain", post.Content.Headers.ContentType?.MediaType);
        var form = QueryHelpers.ParseQuery(await post.Content.ReadAsStringAsync());
        Assert.Equal(["oauth_token", "oauth_token_secret", "oauth_callback_confirmed"], form.Keys);
        Assert.Equal("true", form["oauth_callback_confirmed"].ToString());

        var relative = await client.GetRequestTokenAsync(fake.BaseUrl, consumer, "/signin/callback/abc", CancellationToken.None);
        Assert.Equal("parameter_rejected", relative.Error?.Problem);
        Assert.Contains("oauth_callback", relative.Error!.Message, StringComparison.Ordinal);

        using var get = await http.GetAsync(OAuth1Endpoints.RequestToken(fake.BaseUrl));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Empty(await get.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_authorize_page_refuses_an_unknown_request_token()
    {
        using var response = await http.GetAsync(OAuth1Endpoints.Authorize(fake.BaseUrl, "unknown"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid or has expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<RefusalSeen> SendSignedAsync(string url, OAuth1Credentials credentials)
    {
        using var response = await client.SendSignedAsync(HttpMethod.Get, url, credentials, CancellationToken.None);
        return await SeenAsync(response);
    }

    /// <summary>The same signed request twice (a retrying proxy): the first is served, the second's nonce is spent.</summary>
    private async Task<RefusalSeen> ReplayAsync(string url, OAuth1Credentials credentials)
    {
        var header = new OAuth1Signer(TimeProvider.System).CreateAuthorizationHeader(HttpMethod.Get, new Uri(url), null, credentials);
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Authorization", header);
            using var response = await http.SendAsync(request);
            if (attempt == 1)
            {
                return await SeenAsync(response);
            }
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static async Task<RefusalSeen> SeenAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var problem = QueryHelpers.ParseQuery(body).TryGetValue("oauth_problem", out var value) ? value.ToString() : null;
        return new RefusalSeen((int)response.StatusCode, problem,
            response.Headers.WwwAuthenticate.ToString(), body, response.Headers.Contains("X-AUSERNAME") || response.Headers.Contains("X-AUSERID"));
    }

    private sealed record RefusalSeen(int Status, string? Problem, string WwwAuthenticate, string Body, bool Named);

    private async Task<HttpResponseMessage> PostRequestTokenAsync(string callback)
    {
        var url = OAuth1Endpoints.RequestToken(fake.BaseUrl);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent([]) };
        request.Headers.TryAddWithoutValidation("Authorization", new OAuth1Signer(TimeProvider.System).CreateAuthorizationHeader(
            HttpMethod.Post, url, null, new OAuth1Credentials(consumer), [new("oauth_callback", callback)]));
        return await http.SendAsync(request);
    }

    /// <summary>The browser at the authorize page: redirected to the callback with the token and a verifier.</summary>
    private async Task<string> AuthorizeAsync(OAuth1RequestToken requestToken)
    {
        using var response = await http.GetAsync(OAuth1Client.GetAuthorizeUrl(fake.BaseUrl, requestToken));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(Callback + "&", location.ToString(), StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(requestToken.Token, query["oauth_token"].ToString());
        return query["oauth_verifier"].ToString();
    }

    private async Task<OAuth1AccessToken> SignInAsync()
    {
        var requestToken = (await client.GetRequestTokenAsync(fake.BaseUrl, consumer, Callback, CancellationToken.None)).Value!;
        var verifier = await AuthorizeAsync(requestToken);
        return (await client.GetAccessTokenAsync(fake.BaseUrl, consumer, requestToken, verifier, CancellationToken.None)).Value!;
    }
}
