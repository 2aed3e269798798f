using System.Net;
using Microsoft.AspNetCore.Http;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.OAuth;
using Portal.Core.Integrations;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Security;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// The whole OAuth 2 sign-in against the Bitbucket fake, through the real portal: every way it can go wrong ends with
/// a message on the sign-in page, no server error, and no account that should not exist.
/// </summary>
public sealed class SignInFlowTests
{
    // ---- Success -----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_sign_in_creates_the_account_keyed_on_the_Bitbucket_id_and_stores_the_tokens_encrypted()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser, returnUrl: "/account");

        Assert.Equal(HttpStatusCode.Redirect, attempt.Response.StatusCode);
        Assert.Equal("/account", attempt.Response.Headers.Location!.OriginalString);
        var authCookie = Assert.Single(attempt.Response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("Portal.Auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", authCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(browser.CorrelationCookies);
        var account = await browser.Http.GetStringAsync(new Uri("/account", UriKind.Relative));
        Assert.Contains("Ada Lovelace", account, StringComparison.Ordinal);
        Assert.Contains("ada@example.com", account, StringComparison.Ordinal);

        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        Assert.Equal(BitbucketFakeUser.Ada.Id, identity.ExternalUserId);
        Assert.Equal("ada", identity.Username);
        var user = Assert.Single(await scenario.UsersAsync());
        Assert.Equal(user.Id, identity.UserId);
        Assert.False(user.IsAdministrator);
        Assert.Equal($"https://127.0.0.1:{scenario.Bitbucket.Port}/users/ada/avatar.png?s=64", user.AvatarUrl);

        var exchange = Assert.Single(scenario.Bitbucket.TokenExchanges);
        Assert.NotNull(exchange.IssuedAccessToken);
        Assert.DoesNotContain(exchange.IssuedAccessToken, identity.ProtectedAccessToken!, StringComparison.Ordinal);
        Assert.DoesNotContain(exchange.IssuedRefreshToken!, identity.ProtectedRefreshToken!, StringComparison.Ordinal);
        var protector = scenario.Host.Services.GetRequiredService<SecretProtector>();
        Assert.Equal(exchange.IssuedAccessToken, protector.TryUnprotect(SecretPurpose.AccessToken, identity.ProtectedAccessToken!));
        Assert.Equal(exchange.IssuedRefreshToken, protector.TryUnprotect(SecretPurpose.RefreshToken, identity.ProtectedRefreshToken!));
        // The PKCE verifier was sent, and matched the S256 challenge of the authorize request (else the fake refuses).
        Assert.NotNull(exchange.CodeVerifier);
        Assert.Equal("S256", SignInScenario.QueryValue(attempt.AuthorizeUrl, "code_challenge_method"));
        Assert.Equal("REPO_READ", SignInScenario.QueryValue(attempt.AuthorizeUrl, "scope"));
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Every_call_the_portal_makes_to_Bitbucket_names_the_portal_in_its_User_Agent()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();

        await scenario.SignInAsync(browser, returnUrl: "/account");

        // The authorize and consent pages are the browser's; the token exchange and the identity lookup are the portal's.
        var portalCalls = scenario.Bitbucket.UserAgents.Where(r => r.Path.StartsWith("/rest/oauth2/latest/token", StringComparison.Ordinal) || r.Path.StartsWith("/rest/api/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, portalCalls.Count);
        Assert.All(portalCalls, r => Assert.StartsWith("IntegrationPortal/", r.UserAgent, StringComparison.Ordinal));
        Assert.All(scenario.Bitbucket.UserAgents.Except(portalCalls), r => Assert.DoesNotContain("IntegrationPortal", r.UserAgent ?? "", StringComparison.Ordinal));
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Each_sign_in_keeps_its_session_event_and_audit_entry_and_only_the_first_marks_the_integration_verified()
    {
        await using var scenario = await SignInScenario.StartAsync();
        Assert.Equal(IntegrationVerification.NotVerified, (await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync())).Verification);

        using var first = scenario.NewBrowser();
        await scenario.SignInAsync(first);
        var verified = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        using var second = scenario.NewBrowser();
        await scenario.SignInAsync(second);

        Assert.Equal(IntegrationVerification.Verified, verified.Verification);
        Assert.NotNull(verified.VerifiedAt);
        // A sign-in through an integration that is verified already leaves its date alone (a Verify dates it).
        Assert.Equal(verified.VerifiedAt, (await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync())).VerifiedAt);
        var user = Assert.Single(await scenario.UsersAsync());
        var sessions = await scenario.QueryAsync(db => db.Sessions.AsNoTracking().Where(s => s.UserId == user.Id && s.EndedAt == null).ToListAsync());
        Assert.Equal(2, sessions.Count);
        Assert.Equal(2, (await scenario.SignInEventsAsync()).Count(e => e.Succeeded));
        // The audit entry is saved with the session it names, and reads the person from it.
        var entries = await scenario.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Kind == Portal.Core.Audit.AuditKind.SignInSucceeded).ToListAsync());
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.Equal(Portal.Core.Audit.AuditActorKind.Person, e.ActorKind);
            Assert.Equal(user.Id, e.ActorUserId);
            Assert.Equal("Ada Lovelace", e.ActorName);
            Assert.Equal(verified.Name, e.IntegrationName);
        });
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_user_whose_name_is_an_email_address_and_whose_slug_differs_gets_an_account_with_that_id()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [BitbucketFakeUser.AdaByEmail] });
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser, returnUrl: "/account");

        Assert.Equal("/account", attempt.Response.Headers.Location!.OriginalString);
        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        Assert.Equal(103, identity.ExternalUserId);
        Assert.Equal("ada@example.com", identity.Username);
        Assert.Equal("ada_example.com", identity.Slug);
        var account = await browser.Http.GetStringAsync(new Uri("/account", UriKind.Relative));
        Assert.Contains("Ada (e-mail login)", account, StringComparison.Ordinal);
        Assert.Contains("No e-mail address on the server", account, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_renamed_user_keeps_the_same_account()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var before = scenario.NewBrowser();
        await scenario.SignInAsync(before);
        var firstUser = Assert.Single(await scenario.UsersAsync());

        scenario.Bitbucket.RenameUser(BitbucketFakeUser.Ada.Id, "alovelace", "alovelace", "Ada King");
        using var after = scenario.NewBrowser();
        var attempt = await scenario.SignInAsync(after);

        Assert.Equal(HttpStatusCode.Redirect, attempt.Response.StatusCode);
        var user = Assert.Single(await scenario.UsersAsync());
        Assert.Equal(firstUser.Id, user.Id);
        Assert.Equal("Ada King", user.DisplayName);
        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        Assert.Equal("alovelace", identity.Username);
        Assert.Equal("alovelace", identity.Slug);
        Assert.Contains("alovelace", await after.Http.GetStringAsync(new Uri("/account", UriKind.Relative)), StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Theory]
    [InlineData("/café")]
    [InlineData("//evil.example/")]
    [InlineData("/%2F%2Fevil.example")]
    [InlineData("/\t/evil.example")]
    public async Task A_sign_in_started_with_a_return_url_that_is_not_a_plain_local_path_completes_and_lands_on_the_home_page(string returnUrl)
    {
        // A non-ASCII return URL once made the callback answer 500 after the code was redeemed (a Location header
        // cannot carry it), leaving the user without a session.
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser, returnUrl: returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, attempt.Response.StatusCode);
        Assert.Equal("/", attempt.Response.Headers.Location!.OriginalString);
        Assert.Contains(attempt.Response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("Portal.Auth=", StringComparison.Ordinal));
        Assert.Contains("Ada Lovelace", await browser.Http.GetStringAsync(new Uri("/account", UriKind.Relative)), StringComparison.Ordinal);
        var stored = await scenario.QueryAsync(db => db.PendingAuthorizations.AsNoTracking().SingleAsync());
        Assert.Equal("/", stored.ReturnUrl);
        scenario.AssertNoServerErrors();
    }

    // ---- State -------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task The_correlation_cookie_lasts_as_long_as_the_sign_in_by_max_age_so_a_browser_clock_that_runs_ahead_keeps_it()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();

        var start = await scenario.RequestStartAsync(browser);

        var correlation = Assert.Single(start.Headers.GetValues("Set-Cookie"), c => c.Contains("Correlation.", StringComparison.Ordinal));
        Assert.Contains("max-age=600", correlation, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires=", correlation, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_sign_in_started_on_another_name_for_the_portal_moves_to_the_public_url_first_once()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var path = $"/signin/start/{scenario.IntegrationId}?returnUrl=%2Faccount";
        using var onAlias = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        onAlias.Headers.Host = "portal-alias.example";

        var moved = await browser.Http.SendAsync(onAlias);

        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        Assert.Equal($"{scenario.Host.BaseUrl}{path}&atPublicUrl=1", moved.Headers.Location!.ToString());
        Assert.False(moved.Headers.TryGetValues("Set-Cookie", out _), "A start on another host name set a cookie the callback would never see.");
        var started = await browser.Http.GetAsync(moved.Headers.Location);
        Assert.StartsWith(scenario.Registration.BaseUrl, started.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Single(browser.CorrelationCookies);

        // Marked once, a start that still arrives on another name (a proxy that hides the host) goes on instead of looping.
        using var stillOnAlias = new HttpRequestMessage(HttpMethod.Get, moved.Headers.Location);
        stillOnAlias.Headers.Host = "portal-alias.example";
        var notLooped = await browser.Http.SendAsync(stillOnAlias);
        Assert.StartsWith(scenario.Registration.BaseUrl, notLooped.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_callback_without_state_is_refused()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));

        var response = await scenario.CallbackAsync(browser, SignInScenario.WithQueryValue(callback, "state", null));

        await AssertSignInFailedAsync(scenario, browser, response, "carried no sign-in state");
        Assert.Equal(0, scenario.Bitbucket.TokenRequests);
    }

    [Fact]
    public async Task A_callback_with_a_state_the_portal_did_not_issue_is_refused()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));

        var response = await scenario.CallbackAsync(browser, SignInScenario.WithQueryValue(callback, "state", SecretHash.NewRandomToken(32)));

        await AssertSignInFailedAsync(scenario, browser, response, "not one the portal started");
        Assert.Equal(0, scenario.Bitbucket.TokenRequests);
    }

    [Theory]
    [InlineData("access_denied", "You declined the access request in Bitbucket, so you were not signed in.")]
    [InlineData("temporarily_unavailable", "Bitbucket")]
    public async Task An_error_sent_back_without_a_state_is_explained_by_the_error_and_not_recorded(string error, string expected)
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));

        var response = await scenario.CallbackAsync(browser, new Uri(callback.GetLeftPart(UriPartial.Path) + "?error=" + error));

        await AssertSignInFailedAsync(scenario, browser, response, expected);
        Assert.Empty(await scenario.SignInEventsAsync());
        Assert.Equal(0, scenario.Bitbucket.TokenRequests);
    }

    [Fact]
    public async Task An_unknown_error_without_a_state_still_says_the_state_is_missing()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));

        var response = await scenario.CallbackAsync(browser, new Uri(callback.GetLeftPart(UriPartial.Path) + "?error=made_up"));

        await AssertSignInFailedAsync(scenario, browser, response, "carried no sign-in state");
    }

    [Fact]
    public async Task A_sign_in_that_took_longer_than_ten_minutes_has_expired()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));

        scenario.Clock.Advance(PendingAuthorizationStore.Lifetime + TimeSpan.FromSeconds(1));
        var response = await scenario.CallbackAsync(browser, callback);

        await AssertSignInFailedAsync(scenario, browser, response, "took longer than 10 minutes and expired");
        Assert.Equal(0, scenario.Bitbucket.TokenRequests);
    }

    [Fact]
    public async Task A_late_return_says_the_sign_in_expired_though_the_browser_dropped_its_cookie_with_it_and_is_not_recorded()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));
        scenario.Clock.Advance(PendingAuthorizationStore.Lifetime + TimeSpan.FromSeconds(1));
        // The correlation cookie expires with the sign-in, so a real browser no longer sends it: a browser without it.
        using var cookieless = scenario.NewBrowser();

        var response = await scenario.CallbackAsync(cookieless, callback);

        await AssertSignInFailedAsync(scenario, cookieless, response, "took longer than 10 minutes and expired");
        Assert.Empty(await scenario.SignInEventsAsync());
    }

    [Fact]
    public async Task First_sign_ins_of_one_person_in_two_tabs_at_once_both_succeed_with_one_account()
    {
        var users = Enumerable.Range(1, 8).Select(i => new BitbucketFakeUser(1000 + i, $"user{i}", $"user{i}", $"User {i}", $"user{i}@example.com")).ToList();
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = users });
        foreach (var user in users)
        {
            using var firstTab = scenario.NewBrowser();
            using var secondTab = scenario.NewBrowser();
            var callbacks = new List<(ScenarioBrowser Browser, Uri Callback)>();
            foreach (var tab in new[] { firstTab, secondTab })
            {
                scenario.Bitbucket.ConsentingUser = user;
                callbacks.Add((tab, await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(tab))));
            }

            // Both callbacks at once: each finds no account yet, and the second save meets the first's account.
            var responses = await Task.WhenAll(callbacks.Select(c => scenario.CallbackAsync(c.Browser, c.Callback)));

            Assert.All(responses, r => Assert.Equal("/", r.Headers.Location?.OriginalString));
        }
        Assert.Equal(users.Count, (await scenario.ExternalIdentitiesAsync()).Count);
        // EF Core logs the insert that met the other tab's account; the sign-in recovered from it.
        scenario.AssertNoServerErrors(expectedError: message => message.Contains("INSERT INTO \"ExternalIdentities\"", StringComparison.Ordinal)
            || message.Contains("UNIQUE constraint failed: ExternalIdentities.IntegrationId, ExternalIdentities.ExternalUserId", StringComparison.Ordinal)
            || message.Contains("duplicate key value violates unique constraint \"IX_ExternalIdentities_IntegrationId_ExternalUserId\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_tabs_of_one_browser_signing_in_at_once_both_finish_and_each_callback_removes_only_its_own_cookie()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var firstCallback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));
        var secondCallback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));
        Assert.Equal(2, browser.CorrelationCookies.Count);

        var first = await scenario.CallbackAsync(browser, firstCallback);

        Assert.Equal("/", first.Headers.Location!.OriginalString);
        Assert.Single(browser.CorrelationCookies);
        var second = await scenario.CallbackAsync(browser, secondCallback);
        Assert.Equal("/", second.Headers.Location!.OriginalString);
        Assert.Empty(browser.CorrelationCookies);
        Assert.Equal(2, (await scenario.SignInEventsAsync()).Count(e => e.Succeeded));
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_failed_sign_in_goes_back_to_the_sign_in_page_still_headed_where_the_person_was_going()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        scenario.Bitbucket.DenyConsent = true;

        var declined = await scenario.SignInAsync(browser, returnUrl: "/account");

        Assert.Equal("/signin?returnUrl=%2Faccount", declined.Response.Headers.Location!.OriginalString);
        scenario.Bitbucket.DenyConsent = false;
        var retried = await scenario.SignInAsync(browser, returnUrl: "/account");
        Assert.Equal("/account", retried.Response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_failed_sign_in_removes_its_correlation_cookie_and_leaves_another_tab_s()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var pending = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));
        scenario.Bitbucket.DenyConsent = true;
        var declined = await scenario.SignInAsync(browser);
        Assert.Contains("declined", await scenario.StatusMessageAfterAsync(browser, declined.Response), StringComparison.Ordinal);

        Assert.Single(browser.CorrelationCookies);
        scenario.Bitbucket.DenyConsent = false;
        var finished = await scenario.CallbackAsync(browser, pending);
        Assert.Equal("/", finished.Headers.Location!.OriginalString);
        Assert.Empty(browser.CorrelationCookies);
    }

    [Fact]
    public async Task Opening_the_same_callback_again_after_signing_in_says_it_was_already_used()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var attempt = await scenario.SignInAsync(browser);
        Assert.Equal("/", attempt.Response.Headers.Location!.OriginalString);

        var replay = await scenario.CallbackAsync(browser, attempt.CallbackUrl);

        Assert.Equal(SignInEndpointsPath, replay.Headers.Location!.OriginalString);
        Assert.Contains("already used", await scenario.StatusMessageAfterAsync(browser, replay), StringComparison.Ordinal);
        Assert.Equal(1, scenario.Bitbucket.TokenRequests);
        Assert.Single(await scenario.ExternalIdentitiesAsync());
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Opening_the_same_callback_again_after_a_failure_says_it_was_already_used()
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.DenyConsent = true;
        using var browser = scenario.NewBrowser();
        var attempt = await scenario.SignInAsync(browser);
        Assert.Contains("declined", await scenario.StatusMessageAfterAsync(browser, attempt.Response), StringComparison.Ordinal);

        var replay = await scenario.CallbackAsync(browser, attempt.CallbackUrl);

        await AssertSignInFailedAsync(scenario, browser, replay, "already used");
    }

    [Fact]
    public async Task A_callback_in_another_browser_is_refused_and_the_right_browser_can_still_finish()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var victim = scenario.NewBrowser();
        using var other = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(victim));

        var response = await scenario.CallbackAsync(other, callback);

        await AssertSignInFailedAsync(scenario, other, response, "started in another browser");
        Assert.Equal(0, scenario.Bitbucket.TokenRequests);
        var finished = await scenario.CallbackAsync(victim, callback);
        Assert.Equal("/", finished.Headers.Location!.OriginalString);
        Assert.Single(await scenario.UsersAsync());
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Fifty_parallel_callbacks_with_one_state_make_exactly_one_session()
    {
        // Fifty callbacks from one address exceed the default callback rate limit; the race is what is tested here.
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            PortalSettings = new Dictionary<string, string?> { ["RateLimits:SignInPerMinute"] = "100" },
        });
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));
        var correlation = Assert.Single(browser.CorrelationCookies);
        using var client = scenario.NewCookielessClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, callback);
            request.Headers.Add("Cookie", $"{correlation.Name}={correlation.Value}");
            return await client.Http.SendAsync(request);
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Redirect, r.StatusCode));
        var sessions = responses.Where(r => r.Headers.TryGetValues("Set-Cookie", out var cookies)
            && cookies.Any(c => c.StartsWith("Portal.Auth=", StringComparison.Ordinal))).ToList();
        Assert.Single(sessions);
        Assert.Equal("/", sessions[0].Headers.Location!.OriginalString);
        Assert.Equal(49, responses.Count(r => r.Headers.Location!.OriginalString == SignInEndpointsPath));
        Assert.Single(await scenario.ExternalIdentitiesAsync());
        Assert.Single(await scenario.UsersAsync());
        Assert.Equal(1, scenario.Bitbucket.TokenRequests);
        scenario.AssertNoServerErrors();
    }

    // ---- Authorize step ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_user_who_denies_consent_is_told_they_declined()
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.DenyConsent = true;
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        Assert.Equal("access_denied", SignInScenario.QueryValue(attempt.CallbackUrl, "error"));
        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "You declined the access request in Bitbucket",
            recordedDetail: "The user declined the access request in Bitbucket (access_denied)");
        Assert.Equal("access_denied", (await scenario.SignInEventsAsync())[^1].ErrorCode);
        Assert.Equal(0, scenario.Bitbucket.TokenRequests);
    }

    [Theory]
    [InlineData("<b>evil_error</b>", null)]
    [InlineData("server_down_call_support", null)]
    [InlineData("access_denied", "access_denied")]
    [InlineData("invalid_scope", "invalid_scope")]
    public async Task A_callback_s_error_description_is_never_shown_or_stored_and_its_error_only_when_the_portal_knows_it(string error, string? storedCode)
    {
        // Anyone can open the callback with any error text; it must not reach the sign-in page, the database or the
        // Status page, where an administrator would read it as the portal's words.
        const string Description = "Bitbucket is down: call the helpdesk at +1 555 0100 and tell them your password";
        await using var scenario = await SignInScenario.StartAsync();
        using var admin = await scenario.NewSetupBrowserAsync();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));
        var crafted = SignInScenario.WithQueryValue(SignInScenario.WithQueryValue(SignInScenario.WithQueryValue(callback,
            "code", null), "error", error), "error_description", Description);

        var response = await scenario.CallbackAsync(browser, crafted);

        var page = await scenario.PageAfterAsync(browser, response);
        Assert.NotNull(SignInScenario.StatusMessageIn(page));
        var recorded = Assert.Single(await scenario.SignInEventsAsync());
        var statusPage = await admin.Http.GetStringAsync(new Uri("/status", UriKind.Relative));
        Assert.Contains("Last reason: ", statusPage, StringComparison.Ordinal);
        foreach (var shown in new[] { WebUtility.HtmlDecode(page), recorded.FailureReason!, WebUtility.HtmlDecode(statusPage) })
        {
            Assert.DoesNotContain("helpdesk", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("evil_error", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("server_down_call_support", shown, StringComparison.Ordinal);
        }
        Assert.Equal(storedCode, recorded.ErrorCode);
        Assert.DoesNotContain(scenario.Host.Logs.Entries, e => e.Message.Contains("helpdesk", StringComparison.Ordinal));
        Assert.Equal(0, scenario.Bitbucket.TokenRequests);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task An_unknown_callback_error_asks_to_start_again_without_repeating_it()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));

        var response = await scenario.CallbackAsync(browser, SignInScenario.WithQueryValue(SignInScenario.WithQueryValue(callback, "code", null), "error", "made_up"));

        await AssertSignInFailedAsync(scenario, browser, response, "Bitbucket's answer could not complete the sign-in. Start the sign-in again",
            recordedDetail: "with an OAuth error the portal does not know");
    }

    [Fact]
    public async Task A_redirect_url_registered_differently_in_Bitbucket_stops_at_Bitbucket_s_error_page_after_Allow()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            RegisteredRedirectUris = callback => [callback.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)],
        });
        using var browser = scenario.NewBrowser();
        var authorize = await scenario.StartSignInAsync(browser);

        // Bitbucket asks for consent first: the mismatch is found only once the person clicks Allow.
        var response = await scenario.AuthorizeAsync(authorize);

        Assert.Equal(1, scenario.Bitbucket.ConsentPagesShown);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var errorPage = response.Headers.Location!;
        Assert.StartsWith($"{scenario.Registration.BaseUrl}{BitbucketFake.ErrorPagePath}?errorName=invalid_request&", errorPage.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(scenario.Host.BaseUrl, errorPage.ToString(), StringComparison.Ordinal);
        var page = await scenario.ProviderBrowser.AuthorizeAsync(errorPage);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.StartsWith("text/html", page.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains("does not match", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, scenario.Bitbucket.TokenRequests);
        Assert.Empty(scenario.Bitbucket.IssuedCodes);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_code_issued_for_another_registered_redirect_url_is_refused_at_the_token_step()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            RegisteredRedirectUris = callback => [callback, callback.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)],
        });
        using var browser = scenario.NewBrowser();
        var authorize = await scenario.StartSignInAsync(browser);
        var elsewhere = SignInScenario.QueryValue(authorize, "redirect_uri")!.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var answer = await scenario.AuthorizeAsync(SignInScenario.WithQueryValue(authorize, "redirect_uri", elsewhere));
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        // The browser lands on the portal under its other name; the same path and query reach the same callback.
        var callback = new Uri(scenario.Host.BaseUrl + answer.Headers.Location!.PathAndQuery);

        var response = await scenario.CallbackAsync(browser, callback);

        Assert.Equal("invalid_grant", Assert.Single(scenario.Bitbucket.TokenExchanges).Error);
        await AssertSignInFailedAsync(scenario, browser, response, "Bitbucket did not accept this sign-in's one-time code",
            recordedDetail: "the redirect URL in the application link differs from the portal's Callback URL");
        Assert.Equal("invalid_grant", (await scenario.SignInEventsAsync())[^1].ErrorCode);
    }

    // ---- Token step --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_code_redeemed_by_someone_else_first_is_refused_and_Bitbucket_revokes_what_it_issued()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));
        var stolen = await RedeemAtBitbucketAsync(scenario, callback);
        Assert.True(scenario.Bitbucket.IsAccessTokenActive(stolen));

        var response = await scenario.CallbackAsync(browser, callback);

        Assert.Equal("invalid_grant", scenario.Bitbucket.TokenExchanges[^1].Error);
        Assert.False(scenario.Bitbucket.IsAccessTokenActive(stolen));
        await AssertSignInFailedAsync(scenario, browser, response, "it expired or was already used", recordedDetail: "it was already used");
    }

    [Fact]
    public async Task A_wrong_client_secret_tells_the_admin_to_copy_it_again()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { PortalClientSecret = BitbucketOAuthClient.RandomHex(32) });
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        Assert.Equal(401, Assert.Single(scenario.Bitbucket.TokenExchanges).Status);
        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "the connection between the portal and Bitbucket is not set up correctly",
            recordedDetail: "Bitbucket rejected the client secret: copy the Client ID and Client Secret again");
        var recorded = (await scenario.SignInEventsAsync())[^1];
        Assert.Equal(("invalid_client", SignInStep.Token), (recorded.ErrorCode, recorded.FailedStep));
    }

    [Theory]
    [InlineData("Bearer", true)]
    [InlineData("BEARER", true)]
    [InlineData("DPoP", false)]
    public async Task A_token_type_other_than_bearer_is_refused_at_the_token_step_whatever_the_case_of_bearer(string tokenType, bool signsIn)
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.TokenType = tokenType;
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        if (signsIn)
        {
            Assert.Equal(HttpStatusCode.Redirect, attempt.Response.StatusCode);
            Assert.Contains(attempt.Response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("Portal.Auth=", StringComparison.Ordinal));
            return;
        }
        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "the connection between the portal and Bitbucket is not set up correctly",
            recordedDetail: "Bitbucket issued an access token of another type than Bearer");
        Assert.Equal(0, scenario.Bitbucket.UserSearchRequests);
    }

    [Fact]
    public async Task Bitbucket_down_during_the_token_exchange_says_the_portal_could_not_reach_it()
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.TokenEndpointDown = true;
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        Assert.Equal(1, scenario.Bitbucket.TokenRequests);
        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "The portal could not reach Bitbucket to sign you in. Try again in a few minutes",
            recordedDetail: $"The portal could not reach Bitbucket at {scenario.Registration.BaseUrl} to finish the sign-in");
    }

    [Fact]
    public async Task A_token_endpoint_that_never_answers_stops_the_sign_in_with_the_time_limit_in_the_message()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            ConfigurePortalServices = services => services.AddHttpClient<AuthorizationCodeFlow>().ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(2)),
        });
        scenario.Bitbucket.TokenEndpointStandIn = TokenEndpointStandIn.Silent;
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "The portal could not reach Bitbucket to sign you in. Try again in a few minutes",
            recordedDetail: $"Bitbucket at {scenario.Registration.BaseUrl} did not answer the token request within 2 seconds, so the portal could not finish the sign-in.");
    }

    [Theory]
    [InlineData(200, "text/html", "<!DOCTYPE html><html><body>Log in to continue</body></html>", "answered HTTP 200 without an OAuth error. Check that the base URL points at Bitbucket itself and not at a proxy or login page.")]
    [InlineData(400, "text/html", "<html><body>Blocked by policy</body></html>", "answered HTTP 400 without an OAuth error. Check that the base URL points at Bitbucket itself")]
    [InlineData(502, "application/json", "null", "answered HTTP 502 without an OAuth error: Bitbucket or a proxy in front of it failed.")]
    [InlineData(400, "application/json", "[\"Bad Request\"]", "answered HTTP 400 without an OAuth error.")]
    [InlineData(401, "text/plain", "", "answered HTTP 401 without an OAuth error: most likely it did not accept the Client ID and Client Secret.")]
    public async Task A_token_endpoint_answer_that_is_not_OAuth_JSON_says_what_answered_and_what_to_check(int status, string contentType, string body, string recordedDetail)
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.TokenEndpointStandIn = new TokenEndpointStandIn(status, contentType, body);
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        Assert.Equal(1, scenario.Bitbucket.TokenRequests);
        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "Bitbucket", recordedDetail: recordedDetail);
    }

    [Theory]
    [InlineData(400, """{"error":"invalid_grant","error_description":"The code verifier does not match.\nTry again."}""", "refused the sign-in code (invalid_grant)", "Bitbucket explained: \"The code verifier does not match. Try again.\"")]
    [InlineData(400, """{"errors":[{"context":null,"message":"redirect_uri must be an absolute URI","exceptionName":null}]}""", "answered HTTP 400 without an OAuth error", "Bitbucket explained: \"redirect_uri must be an absolute URI\"")]
    [InlineData(503, """{"error":"temporarily_unavailable"}""", "had a problem handling the request (temporarily_unavailable, HTTP 503)", "")]
    public async Task A_token_endpoint_s_own_explanation_is_kept_for_administrators(int status, string body, string detail, string explanation)
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.TokenEndpointStandIn = new TokenEndpointStandIn(status, "application/json;charset=UTF-8", body);
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "Bitbucket", recordedDetail: detail);
        var recorded = (await scenario.SignInEventsAsync())[^1].FailureReason;
        if (explanation.Length > 0)
        {
            Assert.Contains(explanation, recorded, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("explained:", recorded, StringComparison.Ordinal);
        }
    }

    // ---- Identity step -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_token_Bitbucket_then_treats_as_anonymous_gives_no_account()
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.IssueTokensThatYieldNoIdentity = true;
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        Assert.Equal(200, Assert.Single(scenario.Bitbucket.TokenExchanges).Status);
        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "the portal could not find out which Bitbucket account you used",
            recordedDetail: "did not accept the access token it had just issued");
    }

    [Fact]
    public async Task A_user_search_redirected_elsewhere_is_named_as_held_back_not_as_a_missing_permission()
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.UserSearchStandIn = Results.Redirect("/plugins/servlet/u2f/verify");
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "the portal could not find out which Bitbucket account you used",
            recordedDetail: "Bitbucket redirected the portal's request for /rest/api/1.0/users, made with the user's new access token, to ");
        Assert.DoesNotContain("Repositories: Read", (await scenario.SignInEventsAsync())[^1].FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_without_the_user_search_still_identifies_the_user_by_slug_and_id()
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.UserSearchStandIn = Results.NotFound();
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        var recorded = (await scenario.SignInEventsAsync())[^1];
        Assert.True(recorded.Succeeded, recorded.FailureReason);
        Assert.Equal(HttpStatusCode.Redirect, attempt.Response.StatusCode);
    }

    [Fact]
    public async Task A_user_search_answered_with_something_other_than_JSON_says_what_to_check()
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.UserSearchStandIn = Results.Content("{ this is not json", "application/json");
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "the portal could not find out which Bitbucket account you used",
            recordedDetail: "Bitbucket's user search answered with something that is not its JSON, so the portal could not find out who signed in. Check that the base URL points at Bitbucket itself");
    }

    [Fact]
    public async Task A_user_search_that_fails_on_Bitbucket_s_side_asks_the_person_to_try_again_later_and_tells_the_admin_why()
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.UserSearchStandIn = Results.Content("""{"errors":[{"message":"The directory is unavailable"}]}""", "application/json", statusCode: 503);
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        await AssertSignInFailedAsync(scenario, browser, attempt.Response, "Bitbucket had a problem handling the sign-in. Try again in a few minutes",
            recordedDetail: "Bitbucket answered HTTP 503 to the user search for \"ada\": Bitbucket or its proxy has a problem (a user directory such as LDAP or Crowd that fails");
    }

    // ---- Link-local addresses ----------------------------------------------------------------------------------------

    [Fact]
    public async Task A_Bitbucket_name_that_now_resolves_to_a_link_local_address_stops_sign_in_and_Verify_before_the_token_request()
    {
        var dnsAnswersMetadata = new StrongBox<bool>();
        var guard = new OutboundAddressGuard(async (host, ct) =>
            Volatile.Read(ref dnsAnswersMetadata.Value) ? [IPAddress.Parse("169.254.169.254")] : await Dns.GetHostAddressesAsync(host, ct));
        var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true });
        fake.AddUser(BitbucketFakeUser.Ada);
        fake.ConsentingUser = BitbucketFakeUser.Ada;
        await using var scenario = await SignInScenario.StartWithProviderAsync(callback =>
        {
            var client = fake.RegisterClient(BitbucketOAuthClient.Create("Portal", callback));
            return Task.FromResult(new ProviderRegistration($"https://localhost:{fake.Port}", client.ClientId, client.ClientSecret, fake));
        }, services => services.AddSingleton(guard), fake);
        using var browser = scenario.NewBrowser();
        using var admin = await scenario.NewSetupBrowserAsync();
        var signInCallback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));
        var verifyCallback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(admin, purpose: "verify"));

        Volatile.Write(ref dnsAnswersMetadata.Value, true);
        var signIn = await scenario.CallbackAsync(browser, signInCallback);
        var verify = await scenario.CallbackAsync(admin, verifyCallback);

        Assert.Equal(0, fake.TokenRequests);
        var page = await scenario.PageAfterAsync(browser, signIn);
        Assert.Contains("The portal could not reach Bitbucket to sign you in", SignInScenario.StatusMessageIn(page), StringComparison.Ordinal);
        scenario.AssertNoInternalDetail(page);
        Assert.DoesNotContain("169.254", page, StringComparison.Ordinal);
        Assert.Equal(
            $"Verifying \"{SignInScenario.IntegrationName}\" failed at the token step: The portal refused to connect to localhost: it resolves to 169.254.169.254, " +
            "a link-local address (169.254.0.0/16, fe80::/10), where cloud platforms serve instance metadata and credentials. " +
            "Enter the address the server is served at; if localhost is the server's name, correct its DNS record.",
            await scenario.StatusMessageAfterAsync(admin, verify));
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    // ---- First administrator -----------------------------------------------------------------------------------------

    [Fact]
    public async Task Signing_in_with_the_setup_cookie_makes_the_first_administrator_and_ends_Setup_Mode()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var setupLink = scenario.Host.SetupLink;
        using var browser = await scenario.NewSetupBrowserAsync();

        var attempt = await scenario.SignInAsync(browser);

        var message = await scenario.StatusMessageAfterAsync(browser, attempt.Response);
        Assert.Contains("first administrator", message, StringComparison.Ordinal);
        Assert.True(Assert.Single(await scenario.UsersAsync()).IsAdministrator);
        using var latecomer = scenario.NewBrowser();
        var again = await latecomer.Http.GetAsync(new Uri(setupLink));
        Assert.Equal("/access?problem=setup-mode-over", again.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.Http.GetAsync(new Uri("/integrations", UriKind.Relative))).StatusCode);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_sign_in_without_the_setup_cookie_does_not_make_an_administrator()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();

        await scenario.SignInAsync(browser);

        Assert.False(Assert.Single(await scenario.UsersAsync()).IsAdministrator);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.Http.GetAsync(new Uri("/integrations", UriKind.Relative))).StatusCode);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Two_simultaneous_first_sign_ins_with_the_setup_cookie_make_exactly_one_administrator()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [BitbucketFakeUser.Ada, BitbucketFakeUser.Grace] });
        using var first = await scenario.NewSetupBrowserAsync();
        using var second = scenario.NewBrowser();
        second.Cookies.Add(new Uri(scenario.Host.BaseUrl), new Cookie("Portal.Auth", first.Cookie("Portal.Auth")));
        var adaCallback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(first), scenario.Bitbucket.SessionCookieFor(BitbucketFakeUser.Ada));
        var graceCallback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(second), scenario.Bitbucket.SessionCookieFor(BitbucketFakeUser.Grace));

        var responses = await Task.WhenAll(scenario.CallbackAsync(first, adaCallback), scenario.CallbackAsync(second, graceCallback));

        Assert.All(responses, r => Assert.Equal("/", r.Headers.Location!.OriginalString));
        var users = await scenario.UsersAsync();
        Assert.Equal(2, users.Count);
        Assert.Single(users, u => u.IsAdministrator);
        scenario.AssertNoServerErrors();
    }

    // ---- Verify ------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Verifying_an_integration_names_the_identity_and_marks_it_verified_without_creating_an_account()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var admin = await scenario.NewSetupBrowserAsync();

        var attempt = await scenario.SignInAsync(admin, purpose: "verify");

        Assert.Equal("/integrations", attempt.Response.Headers.Location!.OriginalString);
        var message = await scenario.StatusMessageAfterAsync(admin, attempt.Response);
        Assert.Contains("Ada Lovelace", message, StringComparison.Ordinal);
        Assert.Contains("id 101", message, StringComparison.Ordinal);
        Assert.Contains("Verified", message, StringComparison.Ordinal);
        var integration = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal(IntegrationVerification.Verified, integration.Verification);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Verifying_with_a_wrong_secret_names_the_token_step()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { PortalClientSecret = BitbucketOAuthClient.RandomHex(32) });
        using var admin = await scenario.NewSetupBrowserAsync();

        var attempt = await scenario.SignInAsync(admin, purpose: "verify");

        var message = await scenario.StatusMessageAfterAsync(admin, attempt.Response);
        Assert.Contains("failed at the token step", message, StringComparison.Ordinal);
        Assert.Contains("client secret", message, StringComparison.Ordinal);
        var integration = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal(IntegrationVerification.NotVerified, integration.Verification);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task The_anonymous_sign_in_page_names_no_host_or_exception_while_Verify_shows_both()
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.TokenEndpointDown = true;
        using var browser = scenario.NewBrowser();
        using var admin = await scenario.NewSetupBrowserAsync();

        var signIn = await scenario.SignInAsync(browser);
        var verify = await scenario.SignInAsync(admin, purpose: "verify");

        var page = await scenario.PageAfterAsync(browser, signIn.Response);
        Assert.Contains("The portal could not reach Bitbucket to sign you in", SignInScenario.StatusMessageIn(page), StringComparison.Ordinal);
        scenario.AssertNoInternalDetail(page);
        var detail = await scenario.StatusMessageAfterAsync(admin, verify.Response) ?? "";
        var prefix = $"Verifying \"{SignInScenario.IntegrationName}\" failed at the token step: The portal could not reach Bitbucket at {scenario.Registration.BaseUrl} to finish the sign-in (";
        Assert.StartsWith(prefix, detail, StringComparison.Ordinal);
        var exceptionText = detail[prefix.Length..detail.IndexOf(')', prefix.Length)];
        Assert.True(exceptionText.Length > 5, detail);
        Assert.DoesNotContain(exceptionText, page, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_verification_needs_the_form_s_antiforgery_token()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var admin = await scenario.NewSetupBrowserAsync();

        var response = await scenario.RequestVerifyAsync(admin, antiforgeryToken: null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("another site", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, scenario.Bitbucket.AuthorizeRequests);
        var integration = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal(IntegrationVerification.NotVerified, integration.Verification);
    }

    [Fact]
    public async Task A_verification_by_an_administrator_whose_role_was_revoked_meanwhile_is_refused_and_says_why()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var admin = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(admin); // the first administrator
        var token = await scenario.AntiforgeryTokenAsync(admin);
        await scenario.QueryAsync(db => db.Users.ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdministrator, false)));

        var response = await scenario.RequestVerifyAsync(admin, token);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.OriginalString);
        Assert.Equal(2, scenario.Bitbucket.AuthorizeRequests); // only the sign-in's two (first request and Allow), no verification
        var message = await scenario.StatusMessageAfterAsync(admin, response);
        Assert.StartsWith("You are no longer an administrator. Sign in again", message, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    // ---- Refresh -----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_refresh_stores_both_rotated_tokens_and_the_old_refresh_token_is_dead()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        await scenario.SignInAsync(browser);
        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        var signIn = Assert.Single(scenario.Bitbucket.TokenExchanges);

        var first = await RefreshAsync(scenario, identity.Id);
        var second = await RefreshAsync(scenario, identity.Id);

        Assert.True(first.Succeeded, first.Message);
        Assert.True(second.Succeeded, second.Message);
        var refreshes = scenario.Bitbucket.TokenExchanges.Where(e => e.GrantType == "refresh_token").ToList();
        Assert.Equal(2, refreshes.Count);
        Assert.Equal(signIn.IssuedRefreshToken, refreshes[0].RefreshToken);
        Assert.Equal(refreshes[0].IssuedRefreshToken, refreshes[1].RefreshToken);
        Assert.False(scenario.Bitbucket.IsAccessTokenActive(signIn.IssuedAccessToken!));
        Assert.True(scenario.Bitbucket.IsAccessTokenActive(refreshes[1].IssuedAccessToken!));
        var stored = Assert.Single(await scenario.ExternalIdentitiesAsync());
        var protector = scenario.Host.Services.GetRequiredService<SecretProtector>();
        Assert.Equal(refreshes[1].IssuedAccessToken, protector.TryUnprotect(SecretPurpose.AccessToken, stored.ProtectedAccessToken!));
        Assert.Equal(refreshes[1].IssuedRefreshToken, protector.TryUnprotect(SecretPurpose.RefreshToken, stored.ProtectedRefreshToken!));

        var (status, body) = await scenario.RefreshDirectlyAsync(signIn.IssuedRefreshToken!);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_refresh_token_Bitbucket_no_longer_accepts_asks_for_a_new_sign_in()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        var attempt = await scenario.SignInAsync(browser);
        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        // Replaying the sign-in's code makes Bitbucket revoke every token issued from it, the refresh token included.
        var (status, body) = await scenario.RedeemCodeDirectlyAsync(attempt.CallbackUrl);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());

        var result = await RefreshAsync(scenario, identity.Id);

        Assert.Equal(TokenRefreshFailure.Rejected, result.Failure);
        Assert.Contains("must sign in again", result.Message, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_refresh_that_gets_a_login_page_or_no_answer_says_so_instead_of_failing()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            ConfigurePortalServices = services => services.AddHttpClient<TokenRefresher>().ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(2)),
        });
        using var browser = scenario.NewBrowser();
        await scenario.SignInAsync(browser);
        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());

        scenario.Bitbucket.TokenEndpointStandIn = new TokenEndpointStandIn(200, "text/html", "<html><body>Log in</body></html>");
        var page = await RefreshAsync(scenario, identity.Id);
        scenario.Bitbucket.TokenEndpointStandIn = new TokenEndpointStandIn(503, "application/json", """{"error":"temporarily_unavailable"}""");
        var outage = await RefreshAsync(scenario, identity.Id);
        scenario.Bitbucket.TokenEndpointStandIn = TokenEndpointStandIn.Silent;
        var silence = await RefreshAsync(scenario, identity.Id);

        Assert.Equal(TokenRefreshFailure.Unreachable, outage.Failure); // the refresh token may still work later
        Assert.Equal(TokenRefreshFailure.Rejected, page.Failure);
        Assert.Contains("answered HTTP 200 without an OAuth error. Check that the base URL points at Bitbucket itself", page.Message, StringComparison.Ordinal);
        Assert.Equal(TokenRefreshFailure.Unreachable, silence.Failure);
        Assert.Contains("did not answer the token request within 2 seconds, so the portal could not renew the access token", silence.Message, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    // ---- Logs --------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task No_secret_code_token_or_verifier_reaches_the_logs()
    {
        // Everything at Information, as an operator investigating a problem might set it.
        var verbose = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information", ["Logging:LogLevel:System.Net.Http"] = "Information" };
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [BitbucketFakeUser.Ada, BitbucketFakeUser.AdaByEmail], PortalSettings = verbose });
        var fake = scenario.Bitbucket;
        var states = new List<string>();
        async Task<SignInAttempt> SignIn(ScenarioBrowser browser, BitbucketFakeUser? asUser = null, string? purpose = null)
        {
            var attempt = await scenario.SignInAsync(browser, asUser, purpose: purpose);
            states.Add(SignInScenario.QueryValue(attempt.AuthorizeUrl, "state")!);
            return attempt;
        }

        using var admin = await scenario.NewSetupBrowserAsync();
        await SignIn(admin, purpose: "verify");
        await SignIn(admin);
        using var emailUser = scenario.NewBrowser();
        var signedIn = await SignIn(emailUser, BitbucketFakeUser.AdaByEmail);
        await scenario.CallbackAsync(emailUser, signedIn.CallbackUrl);
        foreach (var identity in await scenario.ExternalIdentitiesAsync())
        {
            Assert.True((await RefreshAsync(scenario, identity.Id)).Succeeded);
        }
        using var replayer = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(replayer));
        await RedeemAtBitbucketAsync(scenario, callback);
        await scenario.CallbackAsync(replayer, callback);
        fake.IssueTokensThatYieldNoIdentity = true;
        await SignIn(scenario.NewBrowser());
        fake.IssueTokensThatYieldNoIdentity = false;
        fake.RegisterClient(BitbucketOAuthClient.Create("Portal", scenario.CallbackUrl) with { ClientId = scenario.Registration.ClientId });
        await SignIn(scenario.NewBrowser());
        fake.TokenEndpointDown = true;
        await SignIn(scenario.NewBrowser());

        var secrets = fake.SecretValues.Concat(states).Append(scenario.Registration.ClientSecret).ToList();
        Assert.True(secrets.Count > 20, $"Only {secrets.Count} values were captured.");
        Assert.Contains(fake.TokenExchanges, e => e.Error == "invalid_client");
        var logs = scenario.Host.Logs.AllText;
        Assert.Contains("The token endpoint refused the request", logs, StringComparison.Ordinal);
        var leakingCategories = scenario.Host.Logs.Entries.Where(e => secrets.Any(s => e.Message.Contains(s, StringComparison.Ordinal)))
            .Select(e => e.Category).Distinct().ToList();
        Assert.True(leakingCategories.Count == 0, $"Secrets leaked into the logs of: {string.Join(", ", leakingCategories)}");
        scenario.AssertNoServerErrors();
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------------

    private const string SignInEndpointsPath = "/signin";

    /// <summary>
    /// The callback sent the browser to /signin, whose status message contains <paramref name="expected"/> and no
    /// internal detail; nothing else happened. When <paramref name="recordedDetail"/> is given, the failure was recorded
    /// for administrators (the Status page) with that detail.
    /// </summary>
    private static async Task AssertSignInFailedAsync(SignInScenario scenario, ScenarioBrowser browser, HttpResponseMessage response, string expected,
        string? recordedDetail = null)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(SignInEndpointsPath, response.Headers.Location!.OriginalString);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("Portal.Auth=", StringComparison.Ordinal));
        var page = await scenario.PageAfterAsync(browser, response);
        var message = SignInScenario.StatusMessageIn(page);
        Assert.NotNull(message);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        scenario.AssertNoInternalDetail(page);
        if (recordedDetail is not null)
        {
            var recorded = (await scenario.SignInEventsAsync())[^1];
            Assert.False(recorded.Succeeded);
            Assert.Contains(recordedDetail, recorded.FailureReason, StringComparison.Ordinal);
        }
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    /// <summary>Someone else redeems the code first and gets an access token.</summary>
    private static async Task<string> RedeemAtBitbucketAsync(SignInScenario scenario, Uri callbackUrl)
    {
        var (status, body) = await scenario.RedeemCodeDirectlyAsync(callbackUrl);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("access_token").GetString()!;
    }

    private static Task<TokenRefreshResult> RefreshAsync(SignInScenario scenario, Guid externalIdentityId) => scenario.RefreshAsync(externalIdentityId);
}
