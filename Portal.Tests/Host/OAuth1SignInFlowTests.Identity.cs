using Microsoft.EntityFrameworkCore;
using Portal.Core.Integrations;
using Portal.Core.Accounts;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// The identity step of an OAuth 1 sign-in: Bitbucket blocks a signed request it refuses with an <c>oauth_problem</c>
/// (401, or 400 for a refused timestamp), and the portal names that problem as the token steps do.
/// </summary>
public sealed partial class OAuth1SignInFlowTests
{
    [Fact]
    public async Task An_access_token_Bitbucket_refuses_at_the_identity_step_is_named_by_its_oauth_problem()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        scenario.Bitbucket.IssueTokensThatYieldNoIdentity = true;
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        var refused = Assert.Single(scenario.Bitbucket.OAuth1Requests, r => r.Endpoint == "resource");
        Assert.Equal((401, "token_rejected", (long?)null), (refused.Status, refused.Problem, refused.AuthenticatedUserId));
        // The token was issued a moment ago: signing in again meets the same refusal, so it is for an administrator.
        var detail = await AssertSignInFailedAsync(scenario, browser, attempt.Response, "the connection between the portal and Bitbucket is not set up correctly",
            "When the portal asked who signed in, with a request signed with the access token Bitbucket had just issued, Bitbucket refused that token (oauth_problem=token_rejected)");
        Assert.DoesNotContain("base URL points at Bitbucket itself", detail, StringComparison.Ordinal);
        var recorded = (await scenario.SignInEventsAsync())[^1];
        Assert.Equal((SignInStep.Identity, "token_rejected"), (recorded.FailedStep, recorded.ErrorCode));
    }

    [Fact]
    public async Task A_clock_jump_between_the_token_steps_and_the_identity_step_is_named_as_clock_skew_with_both_clocks()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        var bitbucketClock = new ShiftableTimeProvider();
        scenario.Bitbucket.Clock = bitbucketClock;
        scenario.Bitbucket.AfterOAuth1AccessTokenIssued = () => bitbucketClock.Advance(TimeSpan.FromMinutes(10));
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        var refused = Assert.Single(scenario.Bitbucket.OAuth1Requests, r => r.Endpoint == "resource");
        Assert.Equal((400, "timestamp_refused"), (refused.Status, refused.Problem));
        var detail = await AssertSignInFailedAsync(scenario, browser, attempt.Response,
            "Bitbucket refused the sign-in because the clocks of the portal's server and Bitbucket's server disagree", "oauth_problem=timestamp_refused");
        Assert.StartsWith("When the portal asked who signed in", detail, StringComparison.Ordinal);
        Assert.Matches(ClocksPattern(), detail);
        Assert.Contains("(Bitbucket's clock is ahead)", detail, StringComparison.Ordinal);
        var recorded = (await scenario.SignInEventsAsync())[^1];
        Assert.Equal((SignInStep.Identity, "timestamp_refused"), (recorded.FailedStep, recorded.ErrorCode));
    }

    [Fact]
    public async Task A_public_key_replaced_in_Bitbucket_before_the_identity_step_says_to_paste_it_again()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        var consumerKey = scenario.Registration.OAuth1!.ConsumerKey;
        scenario.Bitbucket.AfterOAuth1AccessTokenIssued = () => scenario.Bitbucket.RegisterOAuth1ConsumerWithWrongKey(consumerKey);
        using var admin = await scenario.NewSetupBrowserAsync();

        var verify = await scenario.RequestStartAsync(admin, purpose: "verify");
        var callback = await scenario.AuthorizeToCallbackAsync(verify.Headers.Location!);
        var message = await scenario.StatusMessageAfterAsync(admin, await scenario.CallbackAsync(admin, callback));

        var refused = Assert.Single(scenario.Bitbucket.OAuth1Requests, r => r.Endpoint == "resource");
        Assert.Equal((401, "signature_invalid"), (refused.Status, refused.Problem));
        Assert.Contains($"Verifying \"{SignInScenario.IntegrationName}\" failed", message, StringComparison.Ordinal);
        Assert.Contains("oauth_problem=signature_invalid", message, StringComparison.Ordinal);
        Assert.Contains("paste this integration's public key again", message, StringComparison.Ordinal);
        var integration = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal(IntegrationVerification.NotVerified, integration.Verification);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }
}
