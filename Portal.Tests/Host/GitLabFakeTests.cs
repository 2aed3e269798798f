using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Tests.Fakes.GitLab;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>The GitLab fake behaves as docs/gitlab-protocol.md says.</summary>
public sealed class GitLabFakeTests : IAsyncLifetime
{
    private const string Redirect = "https://portal.example.com/signin/callback/gl";
    private readonly string _verifier = GitLabFake.Base64Url(RandomNumberGenerator.GetBytes(32));
    private HttpClient http = null!;
    private GitLabConsentWalker walker = null!;
    private GitLabFake fake = null!;
    private GitLabFakeApplication application = null!;
    private string cookie = null!;

    public async Task InitializeAsync()
    {
        fake = await GitLabFake.StartAsync(new GitLabFakeOptions { RelativeUrlRoot = "/gitlab" });
        http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        walker = new GitLabConsentWalker(http);
        application = fake.RegisterApplication("Portal", Redirect);
        cookie = fake.SessionCookieFor(GitLabFakeUser.Ada);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await fake.DisposeAsync();
    }

    [Fact]
    public async Task Discovery_is_anonymous_and_names_the_base_url_with_its_relative_root_as_issuer()
    {
        using var document = await GetJsonAsync(fake.BaseUrl + "/.well-known/openid-configuration");

        var root = document.RootElement;
        Assert.EndsWith("/gitlab", fake.BaseUrl, StringComparison.Ordinal);
        Assert.Equal(fake.BaseUrl, root.GetProperty("issuer").GetString());
        Assert.Equal(fake.BaseUrl + "/oauth/authorize", root.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(fake.BaseUrl + "/oauth/token", root.GetProperty("token_endpoint").GetString());
        Assert.Equal(fake.BaseUrl + "/oauth/userinfo", root.GetProperty("userinfo_endpoint").GetString());
        Assert.Equal(fake.BaseUrl + "/oauth/discovery/keys", root.GetProperty("jwks_uri").GetString());
        Assert.Contains("read_user", root.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("S256", root.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, fake.DiscoveryRequests);
    }

    [Fact]
    public async Task Outside_the_relative_url_root_everything_is_404()
    {
        using var response = await http.GetAsync($"http://127.0.0.1:{fake.Port}/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, fake.DiscoveryRequests);
    }

    [Fact]
    public async Task A_configured_external_url_elsewhere_shows_as_the_issuer_while_endpoints_follow_the_request()
    {
        fake.Issuer = "https://gitlab.example.com/gitlab/";

        using var document = await GetJsonAsync(fake.BaseUrl + "/.well-known/openid-configuration");

        Assert.Equal("https://gitlab.example.com/gitlab", document.RootElement.GetProperty("issuer").GetString());
        Assert.Equal(fake.BaseUrl + "/oauth/token", document.RootElement.GetProperty("token_endpoint").GetString());
    }

    [Fact]
    public async Task Keys_are_an_anonymous_rsa_key_set()
    {
        using var document = await GetJsonAsync(fake.BaseUrl + "/oauth/discovery/keys");

        var key = Assert.Single(document.RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.False(string.IsNullOrEmpty(key.GetProperty("n").GetString()));
    }

    [Fact]
    public async Task Full_code_flow_with_pkce_gives_tokens_that_read_the_user_and_the_version()
    {
        using var consent = await http.SendAsync(WithCookie(new HttpRequestMessage(HttpMethod.Get, AuthorizeUrl(state: "s1"))));
        var html = await consent.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        Assert.Contains("Authorize <a href=\"https://portal.example.com/signin/callback/gl\">Portal</a> to use your account?", html, StringComparison.Ordinal);
        Assert.Contains("read_user", html, StringComparison.Ordinal);

        using var authorized = await walker.ChooseAsync(GitLabConsentWalker.ReadConsentPage(new Uri(AuthorizeUrl()), html), GitLabConsentChoice.Authorize, cookie);
        Assert.Equal(HttpStatusCode.Found, authorized.StatusCode);
        var query = QueryHelpers.ParseQuery(authorized.Headers.Location!.Query);
        Assert.StartsWith(Redirect + "?", authorized.Headers.Location.ToString(), StringComparison.Ordinal);
        Assert.Equal("s1", query["state"].ToString());
        var code = query["code"].ToString();
        Assert.Matches("^[0-9a-f]{64}$", code);

        using var tokenResponse = await RedeemAsync(code);
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        Assert.Equal("no-store", tokenResponse.Headers.CacheControl?.ToString());
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal(7200, token.GetProperty("expires_in").GetInt32());
        Assert.Equal("read_user", token.GetProperty("scope").GetString());
        Assert.True(token.GetProperty("created_at").GetInt64() > 1_700_000_000);
        var accessToken = token.GetProperty("access_token").GetString()!;

        using var user = await GetJsonAsync(fake.BaseUrl + "/api/v4/user", accessToken);
        Assert.Equal(42, user.RootElement.GetProperty("id").GetInt64());
        Assert.Equal("ada", user.RootElement.GetProperty("username").GetString());
        Assert.Equal("Ada Lovelace", user.RootElement.GetProperty("name").GetString());
        Assert.Equal("ada@example.com", user.RootElement.GetProperty("email").GetString());
        Assert.Equal("active", user.RootElement.GetProperty("state").GetString());
        Assert.Equal(fake.BaseUrl + "/ada", user.RootElement.GetProperty("web_url").GetString());
        Assert.StartsWith("https://", user.RootElement.GetProperty("avatar_url").GetString(), StringComparison.Ordinal);

        using var metadata = await GetJsonAsync(fake.BaseUrl + "/api/v4/metadata", accessToken);
        Assert.Equal("17.5.1-ee", metadata.RootElement.GetProperty("version").GetString());
        Assert.True(metadata.RootElement.GetProperty("enterprise").GetBoolean());
        Assert.Equal(1, fake.ConsentPagesShown);
        Assert.Contains(accessToken, fake.SecretValues);
        Assert.Contains(application.Secret, fake.SecretValues);
    }

    [Fact]
    public async Task A_wrong_pkce_verifier_is_invalid_grant()
    {
        var code = await CodeAsync();

        using var response = await RedeemAsync(code, verifier: GitLabFake.Base64Url(RandomNumberGenerator.GetBytes(32)));

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task A_missing_pkce_verifier_is_invalid_request()
    {
        var code = await CodeAsync();

        using var response = await RedeemAsync(code, verifier: "");

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_code_used_twice_is_invalid_grant_and_the_first_tokens_keep_working()
    {
        var code = await CodeAsync();
        using var first = await RedeemAsync(code);
        var accessToken = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;

        using var second = await RedeemAsync(code);

        await AssertOAuthErrorAsync(second, HttpStatusCode.BadRequest, "invalid_grant");
        using var user = await GetAsync(fake.BaseUrl + "/api/v4/user", accessToken);
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
    }

    [Fact]
    public async Task A_wrong_client_secret_is_invalid_client_with_401()
    {
        var code = await CodeAsync();

        using var response = await RedeemAsync(code, secret: "gloas-wrong");

        await AssertOAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Contains("invalid_client", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_credentials_in_a_basic_header_work_too()
    {
        var code = await CodeAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, fake.BaseUrl + "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = Redirect, ["code_verifier"] = _verifier,
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{application.ApplicationId}:{application.Secret}")));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Another_redirect_uri_at_the_token_endpoint_is_invalid_grant()
    {
        var code = await CodeAsync();

        using var response = await RedeemAsync(code, redirectUri: "https://portal.example.com/other");

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task A_code_older_than_ten_minutes_is_invalid_grant()
    {
        var clock = new ShiftableTimeProvider();
        fake.Clock = clock;
        var code = await CodeAsync();
        clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        using var response = await RedeemAsync(code);

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Deny_sends_the_browser_back_with_access_denied_and_the_state()
    {
        using var response = await walker.AuthorizeAsync(new Uri(AuthorizeUrl(state: "s2")), GitLabConsentChoice.Deny, cookie);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        Assert.Equal("access_denied", query["error"].ToString());
        Assert.Equal("The resource owner or authorization server denied the request.", query["error_description"].ToString());
        Assert.Equal("s2", query["state"].ToString());
    }

    [Fact]
    public async Task A_consent_form_without_the_session_s_authenticity_token_is_rejected()
    {
        using var consent = await http.SendAsync(WithCookie(new HttpRequestMessage(HttpMethod.Get, AuthorizeUrl())));
        var page = GitLabConsentWalker.ReadConsentPage(new Uri(AuthorizeUrl()), await consent.Content.ReadAsStringAsync());

        using var response = await walker.ChooseAsync(page, GitLabConsentChoice.Authorize, fake.SessionCookieFor(GitLabFakeUser.Grace));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task A_trusted_application_skips_the_consent_page()
    {
        application = fake.RegisterApplication(application with { Trusted = true });

        using var response = await http.SendAsync(WithCookie(new HttpRequestMessage(HttpMethod.Get, AuthorizeUrl())));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Matches("^[0-9a-f]{64}$", QueryHelpers.ParseQuery(response.Headers.Location!.Query)["code"].ToString());
        Assert.Equal(0, fake.ConsentPagesShown);
    }

    [Fact]
    public async Task A_scope_the_application_lacks_is_an_error_page_not_a_redirect()
    {
        using var response = await http.SendAsync(WithCookie(new HttpRequestMessage(HttpMethod.Get, AuthorizeUrl(scope: "api"))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("The requested scope is invalid, unknown, or malformed.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown-client", Redirect, "invalid_client")]
    [InlineData(null, "https://evil.example.com/callback", "invalid_redirect_uri")]
    public async Task An_unknown_client_or_unregistered_redirect_uri_is_an_error_page_not_a_redirect(string? clientId, string redirectUri, string error)
    {
        var url = AuthorizeUrl(redirectUri: redirectUri, clientId: clientId);

        using var response = await http.SendAsync(WithCookie(new HttpRequestMessage(HttpMethod.Get, url)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains($"data-error=\"{error}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, fake.ErrorPagesShown);
    }

    [Fact]
    public async Task Without_a_session_authorize_goes_to_the_sign_in_form_and_back()
    {
        fake.AddUser(GitLabFakeUser.Grace);
        using var toSignIn = await http.GetAsync(AuthorizeUrl(state: "s3"));
        Assert.Equal(HttpStatusCode.Found, toSignIn.StatusCode);
        Assert.Equal(fake.BaseUrl + "/users/sign_in", toSignIn.Headers.Location!.ToString());
        var returnTo = toSignIn.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        using var wrong = await SignInAsync(returnTo, "grace", "nope");
        Assert.Contains("Invalid login or password.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var signedIn = await SignInAsync(returnTo, "grace", "password");
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        Assert.Equal(AuthorizeUrl(state: "s3"), signedIn.Headers.Location!.ToString());
        var session = signedIn.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(GitLabFake.SessionCookieName, StringComparison.Ordinal)).Split(';')[0];
        using var consent = await http.SendAsync(WithCookie(new HttpRequestMessage(HttpMethod.Get, signedIn.Headers.Location), session));
        var page = GitLabConsentWalker.ReadConsentPage(new Uri(AuthorizeUrl()), await consent.Content.ReadAsStringAsync());
        using var authorized = await walker.ChooseAsync(page, GitLabConsentChoice.Authorize, session);
        Assert.Equal("Grace Hopper", await UserNameForCodeAsync(authorized.Headers.Location!));
    }

    [Fact]
    public async Task Refresh_rotates_and_the_old_pair_dies_when_the_new_access_token_is_first_used()
    {
        using var first = await RedeemAsync(await CodeAsync());
        var old = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        var oldAccess = old.GetProperty("access_token").GetString()!;
        var oldRefresh = old.GetProperty("refresh_token").GetString()!;

        using var refreshed = await PostTokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = oldRefresh });
        var fresh = JsonDocument.Parse(await refreshed.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.NotEqual(oldRefresh, fresh.GetProperty("refresh_token").GetString());
        using (var stillWorks = await GetAsync(fake.BaseUrl + "/api/v4/user", oldAccess))
        {
            Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
        }

        using (var usesNew = await GetAsync(fake.BaseUrl + "/api/v4/user", fresh.GetProperty("access_token").GetString()!))
        {
            Assert.Equal(HttpStatusCode.OK, usesNew.StatusCode);
        }

        using var reuse = await PostTokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = oldRefresh });
        await AssertOAuthErrorAsync(reuse, HttpStatusCode.BadRequest, "invalid_grant");
        using var revoked = await GetAsync(fake.BaseUrl + "/api/v4/user", oldAccess);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("Token was revoked", await revoked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_user_without_a_token_or_with_an_unknown_one_is_401_unauthorized_message()
    {
        using var anonymous = await http.GetAsync(fake.BaseUrl + "/api/v4/user");
        using var unknown = await GetAsync(fake.BaseUrl + "/api/v4/user", "0123456789abcdef");
        using var version = await http.GetAsync(fake.BaseUrl + "/api/v4/version");

        foreach (var response in new[] { anonymous, unknown, version })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("{\"message\":\"401 Unauthorized\"}", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task An_expired_token_is_401_invalid_token_that_says_expired()
    {
        var clock = new ShiftableTimeProvider();
        fake.Clock = clock;
        var accessToken = await AccessTokenAsync();
        clock.Advance(TimeSpan.FromSeconds(7200));

        using var response = await GetAsync(fake.BaseUrl + "/api/v4/user", accessToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_token", body.RootElement.GetProperty("error").GetString());
        Assert.Equal("Token is expired. You can either do re-authorization or token refresh.", body.RootElement.GetProperty("error_description").GetString());
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_token_is_401_invalid_token_that_says_revoked()
    {
        var accessToken = await AccessTokenAsync();
        fake.RevokeToken(accessToken);

        using var response = await GetAsync(fake.BaseUrl + "/api/v4/user", accessToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Token was revoked. You have to re-authorize from the user.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_with_only_openid_is_403_insufficient_scope()
    {
        application = fake.RegisterApplication(application with { Scopes = ["openid"] });
        var accessToken = await AccessTokenAsync(scope: "openid");

        using var response = await GetAsync(fake.BaseUrl + "/api/v4/user", accessToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("insufficient_scope", body.RootElement.GetProperty("error").GetString());
        Assert.Equal("The request requires higher privileges than provided by the access token.", body.RootElement.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Before_15_2_metadata_is_a_grape_404_and_version_answers()
    {
        fake.MetadataAvailable = false;
        fake.Version = "15.1.6";
        var accessToken = await AccessTokenAsync();

        using var metadata = await GetAsync(fake.BaseUrl + "/api/v4/metadata", accessToken);
        using var version = await GetJsonAsync(fake.BaseUrl + "/api/v4/version", accessToken);

        Assert.Equal(HttpStatusCode.NotFound, metadata.StatusCode);
        Assert.Equal("{\"error\":\"404 Not Found\"}", await metadata.Content.ReadAsStringAsync());
        Assert.Equal("15.1.6", version.RootElement.GetProperty("version").GetString());
        Assert.False(version.RootElement.GetProperty("enterprise").GetBoolean());
    }

    [Fact]
    public async Task Health_endpoints_are_404_unless_the_caller_is_allow_listed()
    {
        using var hidden = await http.GetAsync(fake.BaseUrl + "/-/health");
        fake.MonitoringAllowListed = true;
        using var shown = await http.GetAsync(fake.BaseUrl + "/-/health");
        using var readiness = await http.GetAsync(fake.BaseUrl + "/-/readiness");

        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal("GitLab OK", await shown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
    }

    [Theory]
    [InlineData(GitLabFakeMode.NotFound, HttpStatusCode.NotFound)]
    [InlineData(GitLabFakeMode.ServerError, HttpStatusCode.InternalServerError)]
    [InlineData(GitLabFakeMode.BadGateway, HttpStatusCode.BadGateway)]
    [InlineData(GitLabFakeMode.SignInRedirect, HttpStatusCode.Found)]
    [InlineData(GitLabFakeMode.Redirect, HttpStatusCode.MovedPermanently)]
    [InlineData(GitLabFakeMode.SignInPage, HttpStatusCode.OK)]
    [InlineData(GitLabFakeMode.HtmlPage, HttpStatusCode.OK)]
    public async Task Failure_modes_change_what_discovery_answers(GitLabFakeMode mode, HttpStatusCode status)
    {
        fake.Mode = mode;

        using var response = await http.GetAsync(fake.BaseUrl + "/.well-known/openid-configuration");

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(1, fake.DiscoveryRequests);
        if (mode == GitLabFakeMode.SignInRedirect)
        {
            Assert.Equal(fake.BaseUrl + "/users/sign_in", response.Headers.Location!.ToString());
        }
        if (mode is GitLabFakeMode.SignInPage or GitLabFakeMode.HtmlPage)
        {
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Garbage_json_mode_breaks_the_discovery_document()
    {
        fake.Mode = GitLabFakeMode.GarbageJson;

        using var response = await http.GetAsync(fake.BaseUrl + "/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
    }

    [Fact]
    public async Task Slow_mode_keeps_the_client_waiting()
    {
        fake.Mode = GitLabFakeMode.Slow;
        fake.SlowDelay = TimeSpan.FromSeconds(30);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => http.GetAsync(fake.BaseUrl + "/.well-known/openid-configuration", cancel.Token));
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private string Challenge => GitLabFake.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(_verifier)));

    private string AuthorizeUrl(string state = "st", string scope = "read_user", string redirectUri = Redirect, string? clientId = null) =>
        QueryHelpers.AddQueryString(fake.BaseUrl + "/oauth/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = clientId ?? application.ApplicationId, ["redirect_uri"] = redirectUri, ["response_type"] = "code", ["state"] = state,
            ["scope"] = scope, ["code_challenge"] = Challenge, ["code_challenge_method"] = "S256",
        });

    private HttpRequestMessage WithCookie(HttpRequestMessage request, string? value = null)
    {
        request.Headers.Add("Cookie", value ?? cookie);
        return request;
    }

    private async Task<string> CodeAsync(string scope = "read_user")
    {
        using var response = await walker.AuthorizeAsync(new Uri(AuthorizeUrl(scope: scope)), GitLabConsentChoice.Authorize, cookie);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return QueryHelpers.ParseQuery(response.Headers.Location!.Query)["code"].ToString();
    }

    private async Task<string> AccessTokenAsync(string scope = "read_user")
    {
        using var response = await RedeemAsync(await CodeAsync(scope));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }

    private async Task<string> UserNameForCodeAsync(Uri location)
    {
        using var response = await RedeemAsync(QueryHelpers.ParseQuery(location.Query)["code"].ToString());
        var accessToken = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        using var user = await GetJsonAsync(fake.BaseUrl + "/api/v4/user", accessToken);
        return user.RootElement.GetProperty("name").GetString()!;
    }

    private Task<HttpResponseMessage> RedeemAsync(string code, string? verifier = null, string? secret = null, string redirectUri = Redirect)
    {
        var fields = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri };
        if (verifier is not "")
        {
            fields["code_verifier"] = verifier ?? _verifier;
        }
        return PostTokenAsync(fields, secret);
    }

    private Task<HttpResponseMessage> PostTokenAsync(Dictionary<string, string> fields, string? secret = null)
    {
        fields["client_id"] = application.ApplicationId;
        fields["client_secret"] = secret ?? application.Secret;
        return http.PostAsync(fake.BaseUrl + "/oauth/token", new FormUrlEncodedContent(fields));
    }

    private Task<HttpResponseMessage> SignInAsync(string returnToCookie, string login, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, fake.BaseUrl + "/users/sign_in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["user[login]"] = login, ["user[password]"] = password }),
        };
        request.Headers.Add("Cookie", returnToCookie);
        return http.SendAsync(request);
    }

    private static async Task AssertOAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        Assert.Equal(error, document.RootElement.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(document.RootElement.GetProperty("error_description").GetString()));
    }

    private Task<HttpResponseMessage> GetAsync(string url, string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return http.SendAsync(request);
    }

    private async Task<JsonDocument> GetJsonAsync(string url, string? accessToken = null)
    {
        using var response = accessToken is null ? await http.GetAsync(url) : await GetAsync(url, accessToken);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }
}
