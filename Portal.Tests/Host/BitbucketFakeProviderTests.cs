using System.Net;
using System.Text.Json;
using Portal.Tests.Fakes;

namespace Portal.Tests.Host;

/// <summary>The fake's OAuth 2 provider as a whole disagrees with the portal where Bitbucket would (BitbucketFake.Provider.cs).</summary>
public sealed class BitbucketFakeProviderTests
{
    private const string Callback = "https://portal.example.com/signin/callback/abc";

    [Fact]
    public async Task The_metadata_is_built_from_the_configured_base_url_not_from_where_it_is_reached()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket", BaseUrlSetting = _ => "https://git.example.com/bitbucket" });
        using var http = new HttpClient();

        using var document = JsonDocument.Parse(await http.GetStringAsync($"{fake.BaseUrl}{BitbucketFake.OAuth2MetadataPath}"));

        var root = document.RootElement;
        Assert.Equal("https://git.example.com/bitbucket", root.GetProperty("issuer").GetString());
        Assert.Equal("https://git.example.com/bitbucket/rest/oauth2/latest/authorize", root.GetProperty("authorization_endpoint").GetString());
        Assert.Equal("https://git.example.com/bitbucket/rest/oauth2/latest/token", root.GetProperty("token_endpoint").GetString());
        Assert.Equal(["client_secret_post"], root.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("REPO_READ", root.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task By_default_the_base_url_setting_is_the_address_the_fake_is_reached_at()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket" });

        Assert.Equal(fake.BaseUrl, fake.BaseUrlSetting);
        fake.BaseUrlSetting = "https://bitbucket.example.com";
        Assert.Equal("https://bitbucket.example.com", fake.BaseUrlSetting);
    }

    [Theory]
    [InlineData(ProviderMetadataMode.Absent, HttpStatusCode.NotFound, null)]
    [InlineData(ProviderMetadataMode.Forbidden, HttpStatusCode.Forbidden, "text/html")]
    [InlineData(ProviderMetadataMode.Redirect, HttpStatusCode.Redirect, null)]
    [InlineData(ProviderMetadataMode.HtmlPage, HttpStatusCode.OK, "text/html")]
    public async Task The_metadata_can_be_absent_or_replaced_while_the_client_resource_still_answers_401(ProviderMetadataMode mode, HttpStatusCode expected, string? mediaType)
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ProviderMetadata = mode });
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var metadata = await http.GetAsync($"{fake.BaseUrl}{BitbucketFake.OAuth2MetadataPath}");
        using var client = await http.GetAsync($"{fake.BaseUrl}/rest/oauth2/1.0/client");

        Assert.Equal(expected, metadata.StatusCode);
        if (mediaType is not null)
        {
            Assert.Equal(mediaType, metadata.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, client.StatusCode);
    }

    [Fact]
    public async Task Without_the_provider_there_is_no_metadata_either()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Version = "7.19.0" });
        using var http = new HttpClient();

        using var metadata = await http.GetAsync($"{fake.BaseUrl}{BitbucketFake.OAuth2MetadataPath}");

        Assert.Equal(HttpStatusCode.NotFound, metadata.StatusCode);
    }

    [Fact]
    public async Task Authorize_over_http_gets_no_https_unless_the_fake_is_told_to_skip_the_rule()
    {
        await using var fake = await BitbucketFake.StartAsync();
        var link = fake.RegisterClient("Portal", Callback);
        fake.ConsentingUser = BitbucketFakeUser.Ada;
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var url = AuthorizeUrl(fake, link);

        using var refused = await http.GetAsync(url);
        using var consent = await http.GetAsync($"{fake.BaseUrl}/plugins/servlet/oauth2/consent");
        fake.SkipHttpsRequirement = true;
        using var allowed = await http.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("no https", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, consent.StatusCode);
        Assert.Equal(2, fake.HttpsRefusals);
        Assert.True(ConsentWalker.IsConsentRedirect(allowed), $"{(int)allowed.StatusCode} {allowed.Headers.Location}");
    }

    [Fact]
    public async Task A_secure_request_is_refused_too_while_the_base_url_setting_is_http()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true, BaseUrlSetting = reached => reached.Replace("https://", "http://", StringComparison.Ordinal) });
        var link = fake.RegisterClient("Portal", Callback);
        fake.ConsentingUser = BitbucketFakeUser.Ada;
        using var http = TrustingClient(fake);

        using var refused = await http.GetAsync(AuthorizeUrl(fake, link));
        fake.BaseUrlSetting = fake.BaseUrl;
        using var allowed = await http.GetAsync(AuthorizeUrl(fake, link));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True(ConsentWalker.IsConsentRedirect(allowed), $"{(int)allowed.StatusCode} {allowed.Headers.Location}");
    }

    [Fact]
    public async Task The_two_factor_plugin_redirects_only_rest_requests_that_carry_a_token()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket" });
        fake.Mode = FakeMode.TwoFactorPlugin;
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var properties = $"{fake.BaseUrl}/rest/api/1.0/application-properties";

        using var anonymous = await http.GetAsync(properties);
        using var bearer = await SendAsync(http, properties, "Bearer some-token");
        using var oauth1 = await SendAsync(http, properties, "OAuth oauth_consumer_key=\"portal\"");
        using var metadata = await http.GetAsync($"{fake.BaseUrl}{BitbucketFake.OAuth2MetadataPath}");

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        foreach (var redirected in new[] { bearer, oauth1 })
        {
            Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
            Assert.StartsWith($"/bitbucket{BitbucketFake.TwoFactorPagePath}?os_destination=", redirected.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        Assert.Equal(2, fake.TwoFactorRedirects);
    }

    [Fact]
    public async Task Codes_live_ten_seconds_by_default()
    {
        await using var fake = await BitbucketFake.StartAsync();

        Assert.Equal(TimeSpan.FromSeconds(10), fake.CodeLifetime);
    }

    private static Uri AuthorizeUrl(BitbucketFake fake, BitbucketOAuthClient link) =>
        new($"{fake.BaseUrl}/rest/oauth2/latest/authorize?client_id={link.ClientId}&redirect_uri={Uri.EscapeDataString(Callback)}&response_type=code&scope=REPO_READ&state=s");

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string url, string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await http.SendAsync(request);
    }

    private static HttpClient TrustingClient(BitbucketFake fake) => new(new HttpClientHandler
    {
        AllowAutoRedirect = false,
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.RawData.AsSpan().SequenceEqual(fake.Certificate!.RawData) == true,
    });
}
