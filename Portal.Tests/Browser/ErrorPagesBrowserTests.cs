using Microsoft.Playwright;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ErrorPagesBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Too_many_setup_attempts_show_a_page_that_says_how_long_to_wait()
    {
        await using var host = new PortalHost(settings: new Dictionary<string, string?> { ["RateLimits:SetupPerMinute"] = "2" });
        host.Start();
        var page = await browser.NewPageAsync();
        // The limit counts per minute of the clock: attempts that straddle a minute's end start counting again, so
        // the test tries on until refused (within five attempts two windows of two are used up).
        IResponse? response = null;
        for (var attempt = 0; attempt < 5 && response?.Status != 429; attempt++)
        {
            response = await page.GotoAsync($"{host.BaseUrl}/setup?token=mistyped-{attempt}");
        }

        Assert.Equal(429, response!.Status);
        await Assertions.Expect(page).ToHaveTitleAsync("Too many requests");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Too many requests", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("error-what")).ToContainTextAsync("Opening a setup link was tried too often from your address");
        await Assertions.Expect(page.GetByTestId("error-next")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Wait [0-9]+ seconds?, then try again\\.$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Go to the start page" })).ToBeVisibleAsync();
        await page.ScreenshotToAsync("50-too-many-requests.png");
        await page.AssertNoAccessibilityViolationsAsync("too many requests");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_expired_sign_out_form_is_explained_and_signing_out_from_that_page_works()
    {
        // Told to skip Bitbucket's https rule: Chromium does not trust the fake's test certificate (the rule has host tests).
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Fake = new() { SkipHttpsRequirement = true } });
        var host = scenario.Host;
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{host.Start()}/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Sign in with {SignInScenario.IntegrationName}" }).ClickAsync();
        await page.AllowOnBitbucketAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/");
        await page.GotoAsync($"{host.BaseUrl}/account");
        // The form was rendered long ago: its antiforgery cookie is gone (a restart with new keys has the same effect).
        await page.Context.ClearCookiesAsync(new() { Name = "Portal.Antiforgery" });

        await page.GetByTestId("account-details").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The form could not be accepted", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("error-what")).ToContainTextAsync("expired or came from another site");
        await Assertions.Expect(page.GetByTestId("current-user")).ToHaveTextAsync("Ada Lovelace");
        await page.ScreenshotToAsync("51-form-expired.png");
        await page.AssertNoAccessibilityViolationsAsync("user, expired form");

        await page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await page.WaitForURLAsync($"{host.BaseUrl}/");
        await Assertions.Expect(page.GetByTestId("status-message")).ToContainTextAsync("You are signed out.");
        await Assertions.Expect(page.GetByTestId("current-user")).ToHaveCountAsync(0);
        await page.AssertNoAccessibilityViolationsAsync("signed out");
        scenario.AssertNoServerErrors();
        await page.Context.CloseAsync();
    }
}
