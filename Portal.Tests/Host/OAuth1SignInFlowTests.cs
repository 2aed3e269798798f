using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// The whole OAuth 1.0a sign-in (Bitbucket older than 7.21) against the Bitbucket fake, through the real portal: each
/// way it can go wrong ends with a readable message naming the cause and the fix, no server error, and no account.
/// </summary>
public sealed partial class OAuth1SignInFlowTests
{
    // ---- Success -----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_sign_in_creates_the_account_keyed_on_the_Bitbucket_id_and_stores_the_token_and_its_secret_encrypted()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser, returnUrl: "/account");

        Assert.Equal(HttpStatusCode.Redirect, attempt.Response.StatusCode);
        Assert.Equal("/account", attempt.Response.Headers.Location!.OriginalString);
        Assert.Single(attempt.Response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("Portal.Auth=", StringComparison.Ordinal));
        Assert.Empty(browser.CorrelationCookies);
        Assert.Contains("Ada Lovelace", await browser.Http.GetStringAsync(new Uri("/account", UriKind.Relative)), StringComparison.Ordinal);

        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        Assert.Equal(BitbucketFakeUser.Ada.Id, identity.ExternalUserId);
        Assert.Equal("ada", identity.Username);
        Assert.Equal(identity.UserId, Assert.Single(await scenario.UsersAsync()).Id);

        var fake = scenario.Bitbucket;
        var exchange = Assert.Single(fake.OAuth1Requests, r => r.Endpoint == "access-token");
        Assert.Equal(200, exchange.Status);
        Assert.NotNull(exchange.IssuedToken);
        Assert.NotNull(exchange.IssuedTokenSecret);
        Assert.DoesNotContain(exchange.IssuedToken, identity.ProtectedAccessToken!, StringComparison.Ordinal);
        Assert.DoesNotContain(exchange.IssuedTokenSecret, identity.ProtectedOAuth1TokenSecret!, StringComparison.Ordinal);
        Assert.Equal((exchange.IssuedToken, exchange.IssuedTokenSecret), await scenario.StoredOAuth1TokensAsync());
        Assert.Null(identity.ProtectedRefreshToken);
        Assert.InRange(identity.AccessTokenExpiresAt!.Value - scenario.Clock.GetUtcNow(), TimeSpan.FromDays(1824), TimeSpan.FromDays(1825));

        // Both identity requests (application-properties, then the user search) were signed with the new access token.
        var identityRequests = fake.OAuth1Requests.Where(r => r.Endpoint == "resource").ToList();
        Assert.Equal(2, identityRequests.Count);
        Assert.All(identityRequests, r => Assert.Equal(BitbucketFakeUser.Ada.Id, r.AuthenticatedUserId));
        var integration = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal(IntegrationVerification.Verified, integration.Verification);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_server_that_issues_a_request_token_it_issued_before_still_signs_people_in()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        scenario.Bitbucket.ReissuedRequestToken = "request-token-1";
        using var first = scenario.NewBrowser();
        using var second = scenario.NewBrowser();

        var before = await scenario.SignInAsync(first, returnUrl: "/account");
        var after = await scenario.SignInAsync(second, returnUrl: "/account");

        Assert.Equal("/account", before.Response.Headers.Location!.OriginalString);
        Assert.Equal("/account", after.Response.Headers.Location!.OriginalString);
        Assert.Contains("Ada Lovelace", await second.Http.GetStringAsync(new Uri("/account", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Equal(2, (await scenario.SignInEventsAsync()).Count(e => e.Succeeded));
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Verifying_an_OAuth1_integration_names_the_identity_without_creating_an_account()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async(new SignInScenarioOptions { Users = [BitbucketFakeUser.AdaByEmail] });
        using var admin = await scenario.NewSetupBrowserAsync();

        var attempt = await scenario.SignInAsync(admin, purpose: "verify");

        Assert.Equal("/integrations", attempt.Response.Headers.Location!.OriginalString);
        var message = await scenario.StatusMessageAfterAsync(admin, attempt.Response);
        Assert.Contains("works: Bitbucket identified you as Ada (e-mail login) (user name ada@example.com, id 103)", message, StringComparison.Ordinal);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    // ---- Request token -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_public_key_in_Bitbucket_that_is_not_the_integration_s_says_to_paste_it_again()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async(new SignInScenarioOptions
        {
            RegisteredPublicKeyPem = _ => OAuth1KeyPair.Generate().PublicKeyPem,
        });
        using var browser = scenario.NewBrowser();

        var response = await scenario.RequestStartAsync(browser);

        Assert.Equal("signature_invalid", Assert.Single(scenario.Bitbucket.OAuth1Requests).Problem);
        var detail = await AssertSignInFailedAsync(scenario, browser, response,
            "the connection between the portal and Bitbucket is not set up correctly",
            "the public key pasted in the application link's Incoming Authentication does not match this integration's key");
        Assert.Contains("paste this integration's public key again", detail, StringComparison.Ordinal);
        Assert.Contains("-----BEGIN PUBLIC KEY-----", detail, StringComparison.Ordinal);
        Assert.Equal(0, scenario.Bitbucket.OAuth1AuthorizeRequests);
        var recorded = Assert.Single(await scenario.QueryAsync(db => db.SignInEvents.AsNoTracking().ToListAsync()));
        Assert.Equal((false, SignInStep.Authorize, "signature_invalid"), (recorded.Succeeded, recorded.FailedStep, recorded.ErrorCode));
    }

    [Fact]
    public async Task Verifying_with_a_wrong_public_key_says_so_on_the_Integrations_page()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async(new SignInScenarioOptions
        {
            RegisteredPublicKeyPem = _ => OAuth1KeyPair.Generate().PublicKeyPem,
        });
        using var admin = await scenario.NewSetupBrowserAsync();

        var response = await scenario.RequestStartAsync(admin, returnUrl: "/integrations", purpose: "verify");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/integrations", response.Headers.Location!.OriginalString);
        var message = await scenario.StatusMessageAfterAsync(admin, response);
        Assert.Contains($"Verifying \"{SignInScenario.IntegrationName}\" failed", message, StringComparison.Ordinal);
        Assert.Contains("paste this integration's public key again", message, StringComparison.Ordinal);
        var integration = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal(IntegrationVerification.NotVerified, integration.Verification);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_Bitbucket_clock_ten_minutes_ahead_names_the_clock_skew_and_shows_both_clocks()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        var bitbucketClock = new ShiftableTimeProvider();
        bitbucketClock.Advance(TimeSpan.FromMinutes(10));
        scenario.Bitbucket.Clock = bitbucketClock;
        using var browser = scenario.NewBrowser();

        var before = scenario.Clock.GetUtcNow();
        var response = await scenario.RequestStartAsync(browser);

        Assert.Equal("timestamp_refused", Assert.Single(scenario.Bitbucket.OAuth1Requests).Problem);
        // The person signing in learns the cause in plain words; the clocks are for the administrator (Status, Verify).
        var message = await AssertSignInFailedAsync(scenario, browser, response,
            "Bitbucket refused the sign-in because the clocks of the portal's server and Bitbucket's server disagree", "oauth_problem=timestamp_refused");
        Assert.Contains("clock skew", message, StringComparison.Ordinal);
        Assert.Contains("NTP", message, StringComparison.Ordinal);
        var clocks = ClocksPattern().Match(message);
        Assert.True(clocks.Success, message);
        var portalClock = ParseClock(clocks.Groups["portal"].Value);
        var bitbucket = ParseClock(clocks.Groups["bitbucket"].Value);
        Assert.InRange(portalClock, before.AddSeconds(-1), scenario.Clock.GetUtcNow());
        Assert.InRange(bitbucket - portalClock, TimeSpan.FromSeconds(598), TimeSpan.FromSeconds(602));
        var shown = bitbucket - portalClock;
        Assert.Contains($"Difference: {shown.Minutes} min{(shown.Seconds == 0 ? "" : $" {shown.Seconds} s")} (Bitbucket's clock is ahead)", message, StringComparison.Ordinal);

        using var admin = await scenario.NewSetupBrowserAsync();
        var verify = await scenario.RequestStartAsync(admin, purpose: "verify");
        Assert.Matches(ClocksPattern(), await scenario.StatusMessageAfterAsync(admin, verify));
    }

    [Fact]
    public async Task The_same_signed_request_token_request_sent_again_is_refused_as_nonce_used()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        using var browser = scenario.NewBrowser();
        await scenario.StartSignInAsync(browser);
        var sent = Assert.Single(scenario.Bitbucket.OAuth1Requests);
        Assert.Equal(("request-token", 200), (sent.Endpoint, sent.Status));

        using var replay = new HttpRequestMessage(new HttpMethod(sent.Method), sent.Url) { Content = new StringContent(sent.FormBody ?? "") };
        replay.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(sent.ContentType!);
        replay.Headers.TryAddWithoutValidation("Authorization", sent.Authorization);
        using var http = scenario.NewProviderHttpClient();
        using var answer = await http.SendAsync(replay);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("oauth_problem=\"nonce_used\"", Assert.Single(answer.Headers.GetValues("WWW-Authenticate")), StringComparison.Ordinal);
        Assert.Equal("oauth_problem=nonce_used", await answer.Content.ReadAsStringAsync());
        Assert.Null(scenario.Bitbucket.OAuth1Requests[^1].IssuedToken);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_proxy_that_retries_the_request_token_post_gets_a_readable_nonce_used_message()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        scenario.Bitbucket.ProxyRetriesOAuth1Posts = true;
        using var browser = scenario.NewBrowser();

        var response = await scenario.RequestStartAsync(browser);

        var tries = scenario.Bitbucket.OAuth1Requests;
        Assert.Equal([(200, (string?)null), (401, "nonce_used")], tries.Select(r => (r.Status, r.Problem)));
        Assert.Equal(tries[0].Authorization, tries[1].Authorization);
        // Signing in again meets the same retry: the person is told it is for an administrator, not to try again.
        var message = await AssertSignInFailedAsync(scenario, browser, response, "the connection between the portal and Bitbucket is not set up correctly",
            "already seen this request's nonce (oauth_problem=nonce_used)");
        Assert.Contains("turn off automatic retries of POST requests", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_that_refuses_user_grants_at_the_request_token_says_so_and_not_that_the_user_declined()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        var consumerKey = scenario.Registration.OAuth1!.ConsumerKey;
        scenario.Bitbucket.ForbidUserGrants(consumerKey);
        using var browser = scenario.NewBrowser();

        var response = await scenario.RequestStartAsync(browser);

        Assert.Equal("permission_denied", Assert.Single(scenario.Bitbucket.OAuth1Requests).Problem);
        var message = await AssertSignInFailedAsync(scenario, browser, response, "the connection between the portal and Bitbucket is not set up correctly",
            $"Bitbucket refused to start a sign-in for Consumer Key \"{consumerKey}\" (oauth_problem=permission_denied when asked for a request token");
        Assert.DoesNotContain("declined", message, StringComparison.Ordinal);
        Assert.Contains("remove its Incoming Authentication and add it again", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Consumer_Key_Bitbucket_does_not_know_says_to_check_it_in_Incoming_Authentication()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async(new SignInScenarioOptions
        {
            RegisteredConsumerKey = _ => OAuth1ConsumerKey.Generate(),
        });
        using var browser = scenario.NewBrowser();

        var response = await scenario.RequestStartAsync(browser);

        Assert.Equal("consumer_key_unknown", Assert.Single(scenario.Bitbucket.OAuth1Requests).Problem);
        var consumerKey = scenario.Registration.OAuth1!.ConsumerKey;
        var message = await AssertSignInFailedAsync(scenario, browser, response, "the connection between the portal and Bitbucket is not set up correctly",
            $"Bitbucket does not know the Consumer Key \"{consumerKey}\"");
        Assert.Contains("Incoming Authentication", message, StringComparison.Ordinal);
        Assert.Contains($"enter Consumer Key \"{consumerKey}\" exactly as the portal shows it", message, StringComparison.Ordinal);

        // The administrator's verification names the key; the anonymous page above did not (AssertSignInFailedAsync).
        using var admin = await scenario.NewSetupBrowserAsync();
        var verify = await scenario.RequestStartAsync(admin, purpose: "verify");
        Assert.Contains($"Bitbucket does not know the Consumer Key \"{consumerKey}\"", await scenario.StatusMessageAfterAsync(admin, verify), StringComparison.Ordinal);
    }

    // ---- Authorize and access token ----------------------------------------------------------------------------------

    [Fact]
    public async Task A_user_who_denies_access_is_told_they_declined()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        scenario.Bitbucket.DenyConsent = true;
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        Assert.Equal(OAuth1Callback.DeniedVerifier, SignInScenario.QueryValue(attempt.CallbackUrl, "oauth_verifier"));
        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "You declined the access request in Bitbucket",
            "You declined access on Bitbucket's authorization page");
        Assert.DoesNotContain(scenario.Bitbucket.OAuth1Requests, r => r.Endpoint == "access-token");
    }

    [Fact]
    public async Task A_callback_with_a_tampered_verifier_is_rejected_by_Bitbucket_and_says_so()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));

        var response = await scenario.CallbackAsync(browser, SignInScenario.WithQueryValue(callback, "oauth_verifier", "forged"));

        Assert.Equal("token_rejected", Assert.Single(scenario.Bitbucket.OAuth1Requests, r => r.Endpoint == "access-token").Problem);
        await AssertSignInFailedAsync(scenario, browser, response, "Bitbucket did not accept this sign-in's one-time code",
            "Bitbucket rejected the OAuth token (oauth_problem=token_rejected)");
        Assert.Equal("token_rejected", (await scenario.SignInEventsAsync())[^1].ErrorCode);
    }

    [Fact]
    public async Task A_callback_whose_request_token_the_portal_did_not_issue_is_refused_without_asking_Bitbucket()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));

        var response = await scenario.CallbackAsync(browser, SignInScenario.WithQueryValue(callback, "oauth_token", "someone-elses-token"));

        await AssertSignInFailedAsync(scenario, browser, response, "not one the portal started", recordedDetail: null);
        Assert.DoesNotContain(scenario.Bitbucket.OAuth1Requests, r => r.Endpoint == "access-token");
    }

    [Fact]
    public async Task A_callback_that_carries_the_request_token_as_state_instead_of_oauth_token_is_refused_readably()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));
        var requestToken = SignInScenario.QueryValue(callback, "oauth_token");

        var response = await scenario.CallbackAsync(browser,
            SignInScenario.WithQueryValue(SignInScenario.WithQueryValue(callback, "oauth_token", null), "state", requestToken));

        await AssertSignInFailedAsync(scenario, browser, response, "Bitbucket's answer could not complete the sign-in",
            "does not belong to the sign-in this browser started");
        Assert.DoesNotContain(scenario.Bitbucket.OAuth1Requests, r => r.Endpoint == "access-token");
    }

    // ---- Logs --------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task No_OAuth1_token_secret_verifier_or_private_key_reaches_the_logs()
    {
        var verbose = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information", ["Logging:LogLevel:System.Net.Http"] = "Information" };
        await using var scenario = await SignInScenario.StartOAuth1Async(new SignInScenarioOptions { PortalSettings = verbose });
        using var admin = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(admin, purpose: "verify");
        await scenario.SignInAsync(admin);
        using var tampered = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(tampered));
        await scenario.CallbackAsync(tampered, SignInScenario.WithQueryValue(callback, "oauth_verifier", "forged"));

        var privateKeyLines = scenario.Registration.OAuth1!.PrivateKeyPem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal));
        var secrets = scenario.Bitbucket.OAuth1SecretValues.Concat(privateKeyLines).ToList();
        Assert.True(secrets.Count > 20, $"Only {secrets.Count} values were captured.");
        var leakingCategories = scenario.Host.Logs.Entries.Where(e => secrets.Any(s => e.Message.Contains(s, StringComparison.Ordinal)))
            .Select(e => e.Category).Distinct().ToList();
        Assert.True(leakingCategories.Count == 0, $"Secrets leaked into the logs of: {string.Join(", ", leakingCategories)}");
        scenario.AssertNoServerErrors();
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------------

    /// <summary>
    /// The portal sent the browser to /signin, whose status message contains <paramref name="expected"/> and no internal
    /// detail; the failure was recorded for administrators with <paramref name="recordedDetail"/> (unless null); nobody
    /// was signed in, no account exists, nothing failed on the server. Returns the recorded detail (else the message).
    /// </summary>
    private static async Task<string> AssertSignInFailedAsync(SignInScenario scenario, ScenarioBrowser browser, HttpResponseMessage response, string expected,
        string? recordedDetail)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.OriginalString);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("Portal.Auth=", StringComparison.Ordinal));
        var page = await scenario.PageAfterAsync(browser, response);
        var message = SignInScenario.StatusMessageIn(page);
        Assert.NotNull(message);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        scenario.AssertNoInternalDetail(page);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
        if (recordedDetail is null)
        {
            return message;
        }
        var recorded = (await scenario.SignInEventsAsync())[^1];
        Assert.False(recorded.Succeeded);
        Assert.Contains(recordedDetail, recorded.FailureReason, StringComparison.Ordinal);
        return recorded.FailureReason!;
    }

    private static DateTimeOffset ParseClock(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [GeneratedRegex(@"Portal clock: (?<portal>[0-9-]+ [0-9:]+ UTC)\. Bitbucket clock: (?<bitbucket>[0-9-]+ [0-9:]+ UTC) \(from the timestamps it accepts\)")]
    private static partial Regex ClocksPattern();
}
