using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Integrations;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// The portal's sign-in against OpenIddict, a standards-strict authorization server, at Bitbucket's paths: proves the
/// flow does not only work against our own fake (client_secret_post, PKCE S256, exact redirect URI, code single use,
/// rolling refresh tokens).
/// </summary>
public sealed class OpenIddictSignInTests
{
    [Fact]
    public async Task A_sign_in_against_OpenIddict_creates_the_account_and_stores_the_tokens_encrypted()
    {
        await using var scenario = await StartAsync();
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser, returnUrl: "/account");

        Assert.Equal("/account", attempt.Response.Headers.Location!.OriginalString);
        Assert.Contains(attempt.Response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("Portal.Auth=", StringComparison.Ordinal));
        Assert.Contains("Ada Lovelace", await browser.Http.GetStringAsync(new Uri("/account", UriKind.Relative)), StringComparison.Ordinal);
        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        Assert.Equal(BitbucketFakeUser.Ada.Id, identity.ExternalUserId);
        var (accessToken, refreshToken) = await scenario.StoredTokensAsync();
        Assert.False(string.IsNullOrEmpty(accessToken));
        Assert.False(string.IsNullOrEmpty(refreshToken));
        Assert.DoesNotContain(accessToken, identity.ProtectedAccessToken!, StringComparison.Ordinal);
        var integration = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal(IntegrationVerification.Verified, integration.Verification);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task OpenIddict_refusing_the_client_secret_gives_the_copy_it_again_message()
    {
        await using var scenario = await StartAsync(portalClientSecret: BitbucketOAuthClient.RandomHex(32));
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        Assert.Equal("/signin", attempt.Response.Headers.Location!.OriginalString);
        var page = await scenario.PageAfterAsync(browser, attempt.Response);
        Assert.Contains("is not set up correctly", SignInScenario.StatusMessageIn(page), StringComparison.Ordinal);
        scenario.AssertNoInternalDetail(page);
        var recorded = Assert.Single(await scenario.SignInEventsAsync());
        Assert.Contains("Bitbucket rejected the client secret: copy ", recorded.FailureReason, StringComparison.Ordinal);
        Assert.Equal("invalid_client", recorded.ErrorCode);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_code_OpenIddict_already_redeemed_is_refused()
    {
        await using var scenario = await StartAsync();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));
        var (status, body) = await scenario.RedeemCodeDirectlyAsync(callback);
        Assert.True(status == HttpStatusCode.OK, body.ToString());

        var response = await scenario.CallbackAsync(browser, callback);

        Assert.Equal("/signin", response.Headers.Location!.OriginalString);
        Assert.Contains("it expired or was already used", await scenario.StatusMessageAfterAsync(browser, response), StringComparison.Ordinal);
        Assert.Contains("it was already used", Assert.Single(await scenario.SignInEventsAsync()).FailureReason, StringComparison.Ordinal);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_refresh_against_OpenIddict_stores_the_rotated_tokens()
    {
        await using var scenario = await StartAsync();
        using var browser = scenario.NewBrowser();
        await scenario.SignInAsync(browser);
        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        var (oldAccessToken, oldRefreshToken) = await scenario.StoredTokensAsync();

        var result = await scenario.RefreshAsync(identity.Id);

        Assert.True(result.Succeeded, result.Message);
        var (newAccessToken, newRefreshToken) = await scenario.StoredTokensAsync();
        Assert.NotEqual(oldAccessToken, newAccessToken);
        Assert.NotEqual(oldRefreshToken, newRefreshToken);
        var (status, body) = await scenario.RefreshDirectlyAsync(oldRefreshToken!);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task The_OpenIddict_server_is_strict_about_PKCE_and_client_secret_post()
    {
        await using var scenario = await StartAsync();
        using var browser = scenario.NewBrowser();
        var authorize = await scenario.StartSignInAsync(browser);
        var callback = await scenario.AuthorizeToCallbackAsync(authorize);

        // Without a code challenge the authorization request is refused.
        var withoutPkce = await scenario.AuthorizeAsync(SignInScenario.WithQueryValue(SignInScenario.WithQueryValue(authorize, "code_challenge", null), "code_challenge_method", null));
        // Client credentials in a Basic header instead of the form body are refused.
        using var http = new HttpClient();
        using var basic = new HttpRequestMessage(HttpMethod.Post, $"{scenario.Registration.BaseUrl}/rest/oauth2/latest/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = SignInScenario.QueryValue(callback, "code")!,
                ["redirect_uri"] = scenario.CallbackUrl,
            }),
        };
        basic.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{scenario.Registration.ClientId}:{scenario.Registration.ClientSecret}")));
        using var basicResponse = await http.SendAsync(basic);

        Assert.Equal(HttpStatusCode.BadRequest, withoutPkce.StatusCode);
        Assert.Contains("code_challenge", await withoutPkce.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(basicResponse.IsSuccessStatusCode);
        // The portal's own exchange (form body, PKCE verifier) still works with the same code.
        var response = await scenario.CallbackAsync(browser, callback);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    private static Task<SignInScenario> StartAsync(string? portalClientSecret = null) =>
        SignInScenario.StartWithProviderAsync(async callback =>
        {
            var server = await OpenIddictBitbucket.StartAsync(callback, BitbucketFakeUser.Ada, BitbucketFakeUser.Grace);
            return new ProviderRegistration(server.BaseUrl, server.ClientId, portalClientSecret ?? server.ClientSecret, server);
        });
}
