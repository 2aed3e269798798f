using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>The Bitbucket fake's OAuth 2 provider behaves as shared/docs/bitbucket-protocol.md §1.4–1.8, §2 and §8 say.</summary>
public sealed class BitbucketFakeOAuthTests : IAsyncLifetime
{
    private const string Redirect = "https://portal.example.com/signin/callback/abc";
    private HttpClient http = null!;
    private ConsentWalker walker = null!;
    private BitbucketFake fake = null!;
    private BitbucketOAuthClient client = null!;

    public async Task InitializeAsync()
    {
        // https, because the OAuth 2 provider refuses the authorize step without it (BitbucketProviderHostTests).
        fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket", Https = true });
        http = new(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.RawData.AsSpan().SequenceEqual(fake.Certificate!.RawData) == true,
        });
        walker = new ConsentWalker(http);
        fake.AddUser(BitbucketFakeUser.Grace);
        fake.ConsentingUser = BitbucketFakeUser.AdaByEmail;
        client = fake.RegisterClient("Portal", Redirect, "https://portal.example.com/other");
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await fake.DisposeAsync();
    }

    [Fact]
    public void Client_credentials_look_like_Bitbucket_s()
    {
        Assert.Matches("^[0-9a-f]{32}$", client.ClientId);
        Assert.Matches("^[0-9a-f]{64}$", client.ClientSecret);
    }

    [Fact]
    public async Task Authorize_redirects_with_a_32_hex_code_and_the_state()
    {
        var response = await AuthorizeAsync(new() { ["state"] = "xyz" });

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(1, fake.ConsentPagesShown);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(Redirect + "?", location, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(response.Headers.Location.Query);
        Assert.Matches("^[0-9a-f]{32}$", query["code"].ToString());
        Assert.Equal("xyz", query["state"].ToString());
    }

    [Fact]
    public async Task The_first_request_is_sent_to_the_consent_page_which_shows_the_signed_in_user_and_the_permission()
    {
        var first = await FirstRequestAsync(new() { ["state"] = "xyz" });

        Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        Assert.Contains("no-store", first.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var location = first.Headers.Location!;
        Assert.Equal($"{fake.BaseUrl}{BitbucketFake.ConsentPagePath}", location.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(new[] { client.ClientId, Redirect, "code", "REPO_READ", "xyz", "S256" },
            new[] { "client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge_method" }.Select(k => query[k].ToString()));
        var page = await walker.OpenConsentPageAsync(location);
        Assert.Contains("Portal would like to access your Bitbucket account", page.Html, StringComparison.Ordinal);
        Assert.Contains("Ada (e-mail login)</strong> (ada@example.com)", page.Html, StringComparison.Ordinal);
        Assert.Contains("REPO_READ", page.Html, StringComparison.Ordinal);
        Assert.Equal(HttpMethod.Get, page.Allow.Method);
        Assert.Equal($"{fake.BaseUrl}/rest/oauth2/latest/authorize", page.Allow.Action.ToString());
        Assert.Contains(page.Allow.Fields, f => f.Key == "atl_token" && f.Value.Length > 0);
        Assert.Empty(fake.IssuedCodes);
    }

    [Fact]
    public async Task An_unknown_client_is_refused_by_the_consent_page()
    {
        var first = await FirstRequestAsync(new() { ["client_id"] = BitbucketOAuthClient.RandomHex(16) });
        Assert.True(ConsentWalker.IsConsentRedirect(first));

        using var consent = await http.GetAsync(first.Headers.Location);

        Assert.Equal(HttpStatusCode.BadRequest, consent.StatusCode);
        Assert.Empty(fake.IssuedCodes);
    }

    [Fact]
    public async Task A_missing_parameter_goes_to_Bitbucket_s_error_page_without_consent()
    {
        var first = await FirstRequestAsync(new() { ["response_type"] = null });

        await AssertBitbucketErrorPageAsync(first, "response_type");
        Assert.Equal(0, fake.ConsentPagesShown);
    }

    [Fact]
    public async Task An_unregistered_redirect_uri_is_found_only_after_Allow_and_ends_on_Bitbucket_s_error_page()
    {
        var first = await FirstRequestAsync(new() { ["redirect_uri"] = Redirect + "/" });
        Assert.True(ConsentWalker.IsConsentRedirect(first));

        var allowed = await AuthorizeAsync(new() { ["redirect_uri"] = Redirect + "/" });

        await AssertBitbucketErrorPageAsync(allowed, "redirect_uri");
        Assert.Empty(fake.IssuedCodes);
    }

    [Theory]
    [InlineData("token", "REPO_READ", "unsupported_response_type", 1)]
    [InlineData("code", "", "invalid_scope", 0)]
    [InlineData("code", " REPO_READ", "invalid_scope", 0)]
    [InlineData("code", "REPO_WRITE", "invalid_scope", 0)]
    [InlineData("code", "NO_SUCH_SCOPE", "invalid_scope", 0)]
    public async Task Authorize_sends_response_type_and_scope_errors_back_to_the_client_with_the_state_scope_errors_before_consent(
        string responseType, string scope, string error, int consentPages)
    {
        var response = await AuthorizeAsync(new() { ["response_type"] = responseType, ["scope"] = scope, ["state"] = "s1" });

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith(Redirect + "?", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        Assert.Equal(error, query["error"].ToString());
        Assert.Equal("s1", query["state"].ToString());
        Assert.False(query.ContainsKey("code"));
        Assert.Equal(consentPages, fake.ConsentPagesShown);
    }

    [Theory]
    [InlineData("https://bitbucket.example.com/plugins/servlet/oauth2/consent?client_id=x")]
    [InlineData("")]
    public async Task Allow_counts_only_from_a_consent_page_under_the_configured_base_url(string referer)
    {
        var page = await walker.OpenConsentPageAsync((await FirstRequestAsync([])).Headers.Location!);

        var allowed = await walker.ChooseAsync(page, ConsentChoice.Allow, referer: referer);

        // Without consent, Bitbucket shows the consent page again.
        Assert.True(ConsentWalker.IsConsentRedirect(allowed), allowed.Headers.Location?.ToString());
        Assert.Empty(fake.IssuedCodes);
    }

    [Fact]
    public async Task A_base_url_setting_other_than_the_address_in_use_sends_consent_there_and_refuses_Allow_from_here()
    {
        fake.ConfiguredBaseUrl = fake.BaseUrl.Replace("127.0.0.1", "bitbucket.invalid", StringComparison.Ordinal);

        var first = await FirstRequestAsync([]);

        Assert.Equal($"{fake.ConfiguredBaseUrl}{BitbucketFake.ConsentPagePath}", first.Headers.Location!.GetLeftPart(UriPartial.Path));
        // A proxy or a user who reaches the consent page under the address in use: Allow is not taken as consent.
        var here = new Uri(fake.BaseUrl + BitbucketFake.ConsentPagePath + first.Headers.Location.Query);
        var allowed = await walker.ChooseAsync(await walker.OpenConsentPageAsync(here), ConsentChoice.Allow);
        Assert.True(ConsentWalker.IsConsentRedirect(allowed));
        Assert.StartsWith(fake.ConfiguredBaseUrl!, allowed.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Empty(fake.IssuedCodes);
    }

    [Fact]
    public async Task The_consent_form_s_xsrf_token_works_once()
    {
        var page = await walker.OpenConsentPageAsync((await FirstRequestAsync([])).Headers.Location!);
        var first = await walker.ChooseAsync(page, ConsentChoice.Allow);
        Assert.True(QueryHelpers.ParseQuery(first.Headers.Location!.Query).ContainsKey("code"));

        var again = await walker.ChooseAsync(page, ConsentChoice.Allow);

        await AssertBitbucketErrorPageAsync(again, "XSRF");
        Assert.Single(fake.IssuedCodes);
    }

    [Fact]
    public async Task Included_scopes_are_allowed()
    {
        var response = await AuthorizeAsync(new() { ["scope"] = "PUBLIC_REPOS REPO_READ" });

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.True(QueryHelpers.ParseQuery(response.Headers.Location!.Query).ContainsKey("code"));
    }

    [Fact]
    public async Task Deny_redirects_with_access_denied_and_the_state()
    {
        var response = await AuthorizeAsync(new() { ["state"] = "s2" }, choice: ConsentChoice.Deny);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal($"{Redirect}?error=access_denied&state=s2", response.Headers.Location!.ToString());
        Assert.Empty(fake.IssuedCodes);
    }

    [Fact]
    public async Task Deny_can_leave_the_browser_on_Bitbucket()
    {
        fake.Denial = ConsentDenial.StayOnBitbucket;

        var response = await AuthorizeAsync(new() { ["state"] = "s2" }, choice: ConsentChoice.Deny);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("You denied Portal access", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(fake.IssuedCodes);
    }

    [Fact]
    public async Task A_session_cookie_chooses_who_approves()
    {
        var session = fake.SessionCookieFor(BitbucketFakeUser.Grace);
        var page = await walker.OpenConsentPageAsync((await FirstRequestAsync([], session)).Headers.Location!, session);
        Assert.Contains("Grace Hopper</strong> (grace)", page.Html, StringComparison.Ordinal);
        var code = await CodeAsync(session: session);
        var token = await RedeemAsync(code);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{fake.BaseUrl}/rest/api/1.0/application-properties");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        using var response = await http.SendAsync(request);

        Assert.Equal("grace", response.Headers.GetValues("X-AUSERNAME").Single());
    }

    [Fact]
    public async Task Token_success_has_Bitbucket_s_shape_and_the_bearer_filter_names_the_user_url_encoded()
    {
        var token = await RedeemAsync(await CodeAsync());

        Assert.Equal("bearer", token.GetProperty("token_type").GetString());
        Assert.Equal(3600, token.GetProperty("expires_in").GetInt32());
        Assert.Equal("REPO_READ", token.GetProperty("scope").GetString());
        Assert.False(string.IsNullOrEmpty(token.GetProperty("refresh_token").GetString()));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{fake.BaseUrl}/rest/api/1.0/application-properties");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ada%40example.com", response.Headers.GetValues("X-AUSERNAME").Single());
        Assert.Equal("103", response.Headers.GetValues("X-AUSERID").Single());
    }

    [Fact]
    public async Task An_unknown_bearer_token_is_served_as_anonymous()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{fake.BaseUrl}/rest/api/1.0/application-properties");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        using var properties = await http.SendAsync(request);
        using var usersRequest = new HttpRequestMessage(HttpMethod.Get, $"{fake.BaseUrl}/rest/api/1.0/users?filter=ada");
        usersRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        using var users = await http.SendAsync(usersRequest);

        Assert.Equal(HttpStatusCode.OK, properties.StatusCode);
        Assert.False(properties.Headers.Contains("X-AUSERNAME"));
        Assert.Equal(HttpStatusCode.Unauthorized, users.StatusCode);
    }

    [Fact]
    public async Task User_search_filters_case_insensitively_and_adds_avatars_only_when_asked()
    {
        var token = (await RedeemAsync(await CodeAsync())).GetProperty("access_token").GetString();

        var withAvatar = await GetJsonAsync($"/rest/api/1.0/users?filter=ADA&avatarSize=64", token);
        var withoutAvatar = await GetJsonAsync($"/rest/api/1.0/users?filter=hopper", token);

        Assert.True(withAvatar.GetProperty("isLastPage").GetBoolean());
        Assert.Equal(0, withAvatar.GetProperty("start").GetInt32());
        var ada = Assert.Single(withAvatar.GetProperty("values").EnumerateArray());
        Assert.Equal("ada@example.com", ada.GetProperty("name").GetString());
        Assert.Equal("ada_example.com", ada.GetProperty("slug").GetString());
        Assert.Equal(103, ada.GetProperty("id").GetInt64());
        Assert.False(ada.TryGetProperty("emailAddress", out _));
        Assert.Equal("/bitbucket/users/ada_example.com/avatar.png?s=64", ada.GetProperty("avatarUrl").GetString());
        var grace = Assert.Single(withoutAvatar.GetProperty("values").EnumerateArray());
        Assert.Equal("grace", grace.GetProperty("name").GetString());
        Assert.False(grace.TryGetProperty("avatarUrl", out _));
    }

    [Fact]
    public async Task A_renamed_user_keeps_the_id()
    {
        var token = (await RedeemAsync(await CodeAsync(session: fake.SessionCookieFor(BitbucketFakeUser.Grace)))).GetProperty("access_token").GetString();

        fake.RenameUser(BitbucketFakeUser.Grace.Id, "ghopper", "ghopper");

        var user = Assert.Single((await GetJsonAsync("/rest/api/1.0/users?filter=ghopper", token)).GetProperty("values").EnumerateArray());
        Assert.Equal(BitbucketFakeUser.Grace.Id, user.GetProperty("id").GetInt64());
        Assert.Equal("ghopper", user.GetProperty("slug").GetString());
    }

    [Fact]
    public async Task Token_errors_follow_the_table_with_no_store()
    {
        var code = await CodeAsync();
        var verifier = "v".PadRight(43, 'v');

        var missingGrant = await TokenAsync(new() { ["code"] = code });
        var unsupported = await TokenAsync(new() { ["grant_type"] = "password" });
        var missingRedirect = await TokenAsync(new() { ["grant_type"] = "authorization_code", ["code"] = code, ["client_id"] = client.ClientId });
        var unknownCode = await TokenAsync(CodeForm(BitbucketOAuthClient.RandomHex(16), verifier) );
        var wrongRedirect = await TokenAsync(CodeForm(code, verifier, redirect: "https://portal.example.com/other"));
        var wrongVerifier = await TokenAsync(CodeForm(code, "w".PadRight(43, 'w')));
        var wrongSecret = await TokenAsync(CodeForm(code, verifier, secret: BitbucketOAuthClient.RandomHex(32)));
        // Grant checks come before client authentication: a bad code with a bad secret is invalid_request.
        var badBoth = await TokenAsync(CodeForm(BitbucketOAuthClient.RandomHex(16), verifier, secret: "nope"));
        var unknownRefresh = await TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = "x", ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret });

        AssertError(missingGrant, 400, "invalid_request");
        AssertError(unsupported, 400, "unsupported_grant_type");
        AssertError(missingRedirect, 400, "invalid_request");
        AssertError(unknownCode, 400, "invalid_request");
        AssertError(wrongRedirect, 400, "invalid_grant");
        AssertError(wrongVerifier, 400, "invalid_grant");
        AssertError(wrongSecret, 401, "invalid_client");
        AssertError(badBoth, 400, "invalid_request");
        AssertError(unknownRefresh, 400, "invalid_grant");
        // None of the failures used the code up.
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(CodeForm(code, verifier))).Status);
    }

    [Fact]
    public async Task Client_credentials_in_a_Basic_header_are_ignored()
    {
        var code = await CodeAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{fake.BaseUrl}/rest/oauth2/latest/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = Redirect,
                ["client_id"] = client.ClientId,
                ["code_verifier"] = "v".PadRight(43, 'v'),
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes($"{client.ClientId}:{client.ClientSecret}")));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_client", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_code_is_invalid_grant_and_revokes_the_tokens_issued_from_it()
    {
        var code = await CodeAsync();
        var first = await RedeemAsync(code);
        var accessToken = first.GetProperty("access_token").GetString()!;
        Assert.True(fake.IsAccessTokenActive(accessToken));

        var replay = await TokenAsync(CodeForm(code, "v".PadRight(43, 'v')));

        AssertError(replay, 400, "invalid_grant");
        Assert.False(fake.IsAccessTokenActive(accessToken));
        AssertError(await TokenAsync(RefreshForm(first.GetProperty("refresh_token").GetString()!)), 400, "invalid_grant");
    }

    [Fact]
    public async Task A_refresh_rotates_both_tokens()
    {
        var first = await RedeemAsync(await CodeAsync());
        var oldRefresh = first.GetProperty("refresh_token").GetString()!;

        var refreshed = await TokenAsync(RefreshForm(oldRefresh));

        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.False(fake.IsAccessTokenActive(first.GetProperty("access_token").GetString()!));
        Assert.True(fake.IsAccessTokenActive(refreshed.Body.GetProperty("access_token").GetString()!));
        Assert.NotEqual(oldRefresh, refreshed.Body.GetProperty("refresh_token").GetString());
        AssertError(await TokenAsync(RefreshForm(oldRefresh)), 400, "invalid_grant");
    }

    [Fact]
    public async Task Codes_expire_after_the_configured_lifetime_and_plain_PKCE_is_assumed_without_a_method()
    {
        var clock = new ShiftableTimeProvider();
        fake.Clock = clock;
        var verifier = "p".PadRight(50, 'p');
        var expired = await CodeAsync(new() { ["code_challenge"] = verifier, ["code_challenge_method"] = null });
        var fresh = await CodeAsync(new() { ["code_challenge"] = verifier, ["code_challenge_method"] = null });

        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(CodeForm(fresh, verifier))).Status);
        clock.Advance(fake.CodeLifetime + TimeSpan.FromSeconds(1));
        AssertError(await TokenAsync(CodeForm(expired, verifier)), 400, "invalid_request");
    }

    [Fact]
    public async Task A_malformed_code_challenge_shows_the_error_page_after_Allow()
    {
        var response = await AuthorizeAsync(new() { ["code_challenge"] = "short" });

        await AssertBitbucketErrorPageAsync(response, "code challenge");
        Assert.Equal(1, fake.ConsentPagesShown);
    }

    [Fact]
    public async Task Token_endpoint_down_drops_the_connection()
    {
        fake.TokenEndpointDown = true;

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(new Uri($"{fake.BaseUrl}/rest/oauth2/latest/token"),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "authorization_code" })));
        Assert.Equal(1, fake.TokenRequests);
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------------

    /// <summary>The browser's way through authorize and the consent page, choosing <paramref name="choice"/>; Bitbucket's last answer.</summary>
    private Task<HttpResponseMessage> AuthorizeAsync(Dictionary<string, string?> overrides, string? session = null, ConsentChoice choice = ConsentChoice.Allow) =>
        walker.AuthorizeAsync(AuthorizeUrl(overrides), choice, session);

    /// <summary>Only the first request to authorize, before any consent.</summary>
    private async Task<HttpResponseMessage> FirstRequestAsync(Dictionary<string, string?> overrides, string? session = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, AuthorizeUrl(overrides));
        if (session is not null)
        {
            request.Headers.Add("Cookie", session);
        }
        return await http.SendAsync(request);
    }

    private Uri AuthorizeUrl(Dictionary<string, string?> overrides)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = client.ClientId,
            ["redirect_uri"] = Redirect,
            ["response_type"] = "code",
            ["scope"] = "REPO_READ",
            ["state"] = "st",
            ["code_challenge"] = S256("v".PadRight(43, 'v')),
            ["code_challenge_method"] = "S256",
        };
        foreach (var (key, value) in overrides)
        {
            parameters[key] = value;
        }
        return new Uri(QueryHelpers.AddQueryString($"{fake.BaseUrl}/rest/oauth2/latest/authorize", parameters.Where(p => p.Value is not null)));
    }

    private async Task<string> CodeAsync(Dictionary<string, string?>? overrides = null, string? session = null)
    {
        var response = await AuthorizeAsync(overrides ?? [], session);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return QueryHelpers.ParseQuery(response.Headers.Location!.Query)["code"].ToString();
    }

    /// <summary>A 303 to Bitbucket's own error page (invalid_request), never to the client, and the page names <paramref name="named"/>.</summary>
    private async Task AssertBitbucketErrorPageAsync(HttpResponseMessage response, string named)
    {
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal($"{fake.BaseUrl}{BitbucketFake.ErrorPagePath}", location.GetLeftPart(UriPartial.Path));
        Assert.Equal("invalid_request", QueryHelpers.ParseQuery(location.Query)["errorName"].ToString());
        using var page = await http.GetAsync(location);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.StartsWith("text/html", page.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains("invalid_request", html, StringComparison.Ordinal);
        Assert.Contains(named, html, StringComparison.Ordinal);
    }

    private async Task<JsonElement> RedeemAsync(string code)
    {
        var (status, body) = await TokenAsync(CodeForm(code, "v".PadRight(43, 'v')));
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private Dictionary<string, string> CodeForm(string code, string verifier, string redirect = Redirect, string? secret = null) => new()
    {
        ["grant_type"] = "authorization_code",
        ["code"] = code,
        ["redirect_uri"] = redirect,
        ["client_id"] = client.ClientId,
        ["client_secret"] = secret ?? client.ClientSecret,
        ["code_verifier"] = verifier,
    };

    private Dictionary<string, string> RefreshForm(string refreshToken) => new()
    {
        ["grant_type"] = "refresh_token",
        ["refresh_token"] = refreshToken,
        ["client_id"] = client.ClientId,
        ["client_secret"] = client.ClientSecret,
    };

    private async Task<(HttpStatusCode Status, JsonElement Body)> TokenAsync(Dictionary<string, string> form)
    {
        using var response = await http.PostAsync(new Uri($"{fake.BaseUrl}/rest/oauth2/latest/token"), new FormUrlEncodedContent(form));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        }
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static void AssertError((HttpStatusCode Status, JsonElement Body) response, int status, string error)
    {
        Assert.Equal(status, (int)response.Status);
        Assert.Equal(error, response.Body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(response.Body.GetProperty("error_description").GetString()));
    }

    private async Task<JsonElement> GetJsonAsync(string path, string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, fake.BaseUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static string S256(string verifier) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
