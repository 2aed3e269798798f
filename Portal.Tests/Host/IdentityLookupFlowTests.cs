using System.Net;
using Portal.Core.Accounts;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// Who signed in, through the real portal against the Bitbucket fake's user directory: the account is keyed on
/// <c>X-AUSERID</c>, the details come from the user search picked by that id across every page, and
/// <c>X-AUSERNAME</c> is decoded as Bitbucket encodes it.
/// </summary>
public sealed class IdentityLookupFlowTests
{
    private static readonly BitbucketFakeUser AdaUpper = new(301, "ADA", "ada-upper", "Ada Capital", "ada.capital@example.com");

    [Fact]
    public async Task A_user_listed_past_the_first_page_of_the_search_for_their_own_name_is_found_by_id()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [FakeDirectory.Al, .. FakeDirectory.UsersMatching("al", 60)] });
        scenario.Bitbucket.UserSearchMaxLimit = 25;
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser, returnUrl: "/account");

        Assert.Equal("/account", attempt.Response.Headers.Location!.OriginalString);
        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        Assert.Equal((777L, "al", "al"), (identity.ExternalUserId, identity.Username, identity.Slug));
        var user = Assert.Single(await scenario.UsersAsync());
        Assert.Equal(("Zoe Al", "al@example.com"), (user.DisplayName, user.Email));
        // The portal asked for 100 a page, Bitbucket served 25, and the portal followed nextPageStart to the third page.
        Assert.Equal([("al", 0, 25), ("al", 25, 25), ("al", 50, 25)], scenario.Bitbucket.UserSearches.Select(s => (s.Filter, s.Start, s.Limit)));
        Assert.All(scenario.Bitbucket.UserSearches, s => Assert.Equal(777, s.AuthenticatedUserId));
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Without_X_AUSERID_the_exact_name_is_looked_for_on_every_page()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [FakeDirectory.Al, .. FakeDirectory.UsersMatching("al", 60)] });
        scenario.Bitbucket.UserSearchMaxLimit = 25;
        scenario.Bitbucket.SendsUserIdHeader = false;
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        Assert.Equal(HttpStatusCode.Redirect, attempt.Response.StatusCode);
        Assert.Equal(777, Assert.Single(await scenario.ExternalIdentitiesAsync()).ExternalUserId);
        Assert.Equal(3, scenario.Bitbucket.UserSearches.Count);
        scenario.AssertNoServerErrors();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Two_users_whose_names_differ_only_in_case_each_get_their_own_account(bool sendsUserId)
    {
        // "ADA" (display name "Ada Capital") is listed before "ada" in the search for either name.
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [BitbucketFakeUser.Ada, AdaUpper] });
        scenario.Bitbucket.SendsUserIdHeader = sendsUserId;
        using var first = scenario.NewBrowser();
        using var second = scenario.NewBrowser();

        await scenario.SignInAsync(first);
        await scenario.SignInAsync(second, asUser: AdaUpper);

        var identities = (await scenario.ExternalIdentitiesAsync()).OrderBy(i => i.ExternalUserId).ToList();
        Assert.Equal([(101L, "ada", "ada"), (301L, "ADA", "ada-upper")], identities.Select(i => (i.ExternalUserId, i.Username, i.Slug)));
        Assert.Equal(2, (await scenario.UsersAsync()).Count);
        Assert.Contains("Ada Capital", await second.Http.GetStringAsync(new Uri("/account", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Contains("Ada Lovelace", await first.Http.GetStringAsync(new Uri("/account", UriKind.Relative)), StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Theory]
    [InlineData("ada lovelace")]
    [InlineData("ada+dev")]
    [InlineData("ada lovelace+dev@example.com")]
    public async Task A_name_with_a_space_or_a_plus_is_decoded_as_Bitbucket_encodes_it(string name)
    {
        var user = new BitbucketFakeUser(401, name, "ada-401", "Ada Spaced");
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [user, BitbucketFakeUser.Ada] });
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        Assert.Equal(HttpStatusCode.Redirect, attempt.Response.StatusCode);
        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        Assert.Equal((401L, name), (identity.ExternalUserId, identity.Username));
        Assert.Equal(name, Assert.Single(scenario.Bitbucket.UserSearches).Filter);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_user_Bitbucket_authenticates_but_its_search_does_not_list_gets_no_account_and_the_admin_learns_why()
    {
        // Another "ada" with another id is listed (as when a name exists in two of Bitbucket's user directories): the
        // portal must not take it for the user who signed in.
        var hidden = new BitbucketFakeUser(901, "ada", "ada-901", "Ada Hidden");
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [hidden, BitbucketFakeUser.Ada] });
        scenario.Bitbucket.HideFromUserSearch(hidden.Id);
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        var detail = await AssertSignInFailedAsync(scenario, browser, attempt.Response,
            "Bitbucket let you in, but the portal could not find out which Bitbucket account you used");
        Assert.Contains("Bitbucket says \"ada\" (user id 901) signed in, but its user search for \"ada\" does not list a user with that id", detail, StringComparison.Ordinal);
        Assert.Contains("does list a user named \"ada\" with another id (101)", detail, StringComparison.Ordinal);
        Assert.Contains("never picks another user by name", detail, StringComparison.Ordinal);
        Assert.Contains("Bitbucket > Administration > Users", detail, StringComparison.Ordinal);

        using var admin = await scenario.NewSetupBrowserAsync();
        var verify = await scenario.RequestStartAsync(admin, purpose: "verify");
        var callback = await scenario.AuthorizeToCallbackAsync(verify.Headers.Location!);
        var message = await scenario.StatusMessageAfterAsync(admin, await scenario.CallbackAsync(admin, callback));
        Assert.Contains("does not list a user with that id", message, StringComparison.Ordinal);
        await scenario.AssertNoAccountAsync();
    }

    [Fact]
    public async Task A_search_longer_than_the_page_limit_stops_there_and_names_the_setting_to_raise()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            Users = [FakeDirectory.Al, .. FakeDirectory.UsersMatching("al", 60)],
            PortalSettings = new Dictionary<string, string?> { ["Bitbucket:UserSearchMaxPages"] = "2" },
        });
        scenario.Bitbucket.UserSearchMaxLimit = 25;
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        var detail = await AssertSignInFailedAsync(scenario, browser, attempt.Response,
            "Bitbucket let you in, but the portal could not find out which Bitbucket account you used");
        Assert.Contains("stopped after Bitbucket:UserSearchMaxPages (2) pages (50 users on 2 pages checked) without finding the user with id 777", detail, StringComparison.Ordinal);
        Assert.Contains("raise Bitbucket:UserSearchMaxPages in appsettings.json", detail, StringComparison.Ordinal);
        Assert.Equal([0, 25], scenario.Bitbucket.UserSearches.Select(s => s.Start));
    }

    /// <summary>
    /// The callback sent the browser to /signin with <paramref name="expected"/> and no internal detail, no account
    /// exists, and the identity step's failure was recorded; returns the administrator's detail.
    /// </summary>
    private static async Task<string> AssertSignInFailedAsync(SignInScenario scenario, ScenarioBrowser browser, HttpResponseMessage response, string expected)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.OriginalString);
        var page = await scenario.PageAfterAsync(browser, response);
        Assert.Contains(expected, SignInScenario.StatusMessageIn(page), StringComparison.Ordinal);
        scenario.AssertNoInternalDetail(page);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
        var recorded = (await scenario.SignInEventsAsync())[^1];
        Assert.Equal((false, SignInStep.Identity), (recorded.Succeeded, recorded.FailedStep));
        return recorded.FailureReason!;
    }
}
