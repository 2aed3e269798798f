using Portal.Core.Platforms.BitbucketServer;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>
/// Verify opens Bitbucket in a new tab; the Integrations page stays and follows it live: the identity when the tab
/// comes back, or, when Bitbucket keeps the tab on its own error page, an explanation after <c>Verify:ReturnTimeout</c>.
/// The same round trip verifies a new Client Secret before it replaces the current one.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class VerifyBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Name = "Acme Bitbucket";
    private BitbucketFake fake = null!;
    private PortalHost? host;
    private IBrowserContext? context;

    public async Task InitializeAsync()
    {
        // Plain http with the https rule skipped, as Bitbucket allows by a system property: Chromium does not trust the fake's test certificate.
        fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { SkipHttpsRequirement = true });
        fake.AddUser(BitbucketFakeUser.Ada);
        fake.ConsentingUser = BitbucketFakeUser.Ada;
    }

    public async Task DisposeAsync()
    {
        // Closes the page and the tabs Verify opened, so no circuit keeps reconnecting to a stopped portal.
        if (context is not null)
        {
            await context.CloseAsync();
        }
        if (host is not null)
        {
            await host.DisposeAsync();
        }
        await fake.DisposeAsync();
    }

    [Fact]
    public async Task A_verification_that_succeeds_in_the_new_tab_shows_the_identity_on_the_page_without_a_reload()
    {
        // A long timeout: this journey must never see the explanation, however slow the machine.
        var (page, _, _) = await OpenIntegrationsAsync(returnTimeout: "00:05:00", registeredRedirect: callback => callback);
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = Name });
        await Assertions.Expect(row).ToContainTextAsync("Not verified");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Verify {Name}" })).ToHaveAccessibleDescriptionAsync("Opens in a new tab");

        var tab = await page.Context.RunAndWaitForPageAsync(() => page.GetByRole(AriaRole.Button, new() { Name = $"Verify {Name}" }).ClickAsync());

        var panel = Panel(page);
        await Assertions.Expect(panel.GetByRole(AriaRole.Status)).ToHaveTextAsync("Waiting for Bitbucket…");
        await Assertions.Expect(panel.GetByRole(AriaRole.Timer)).ToHaveTextAsync(new Regex("^[45]:[0-5][0-9]$"));
        await tab.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);

        // The tab that came back shows the result as before and can be closed; the page shows it too, no reload.
        await tab.WaitForURLAsync($"{host!.BaseUrl}/integrations");
        await Assertions.Expect(tab.GetByTestId("status-message")).ToContainTextAsync("Bitbucket identified you as Ada Lovelace");
        await tab.AssertNoAccessibilityViolationsAsync("setup session, the Verify tab after a successful Verify");
        await tab.CloseAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Status))
            .ToHaveTextAsync($"\"{Name}\" works: Bitbucket identified you as Ada Lovelace (user name ada, id 101). It is now Verified.");
        await Assertions.Expect(row).Not.ToContainTextAsync("Not verified");
        await Assertions.Expect(row).ToContainTextAsync("Verified");
        await Assertions.Expect(panel.GetByRole(AriaRole.Timer)).ToHaveCountAsync(0);
        await page.ScreenshotToAsync("62-verify-succeeded.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Integrations after a successful Verify");
    }

    [Fact]
    public async Task When_Bitbucket_keeps_the_tab_on_its_error_page_the_page_explains_why_after_the_timeout_and_verifying_again_works()
    {
        var (page, integrationId, link) = await OpenIntegrationsAsync(returnTimeout: "00:00:05", registeredRedirect: callback => callback + "/");
        var callbackUrl = CallbackUrl.For(host!.BaseUrl, integrationId);

        var tab = await page.Context.RunAndWaitForPageAsync(() => page.GetByRole(AriaRole.Button, new() { Name = $"Verify {Name}" }).ClickAsync());

        var panel = Panel(page);
        var status = panel.GetByRole(AriaRole.Status);
        await Assertions.Expect(status).ToHaveTextAsync("Waiting for Bitbucket…");
        await page.ScreenshotToAsync("60-verify-waiting.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Integrations waiting for Bitbucket");
        await tab.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);
        // Bitbucket compares the redirect URL only after Allow, and then keeps the browser on its own error page.
        await tab.WaitForURLAsync(new Regex($"^{Regex.Escape(fake.BaseUrl + BitbucketFake.ErrorPagePath)}\\?errorName=invalid_request&"));
        await Assertions.Expect(tab.GetByRole(AriaRole.Heading, new() { Name = "Something went wrong" })).ToBeVisibleAsync();
        await Assertions.Expect(tab.Locator("#error-description")).ToContainTextAsync("redirect_uri");
        await tab.ScreenshotToAsync("61-verify-bitbucket-error-page.png");

        await Assertions.Expect(status).ToHaveTextAsync("Bitbucket did not send the browser back.", new() { Timeout = 30_000 });
        var causes = panel.GetByTestId("verify-causes");
        await Assertions.Expect(causes).ToContainTextAsync("The redirect URL in Bitbucket differs from the Callback URL");
        await Assertions.Expect(panel.GetByTestId("verify-callback-url")).ToHaveTextAsync(callbackUrl);
        await Assertions.Expect(causes).ToContainTextAsync("Bitbucket's Base URL setting is wrong");
        await Assertions.Expect(causes).ToContainTextAsync("Enable OAuth whitelist");
        await Assertions.Expect(panel.GetByRole(AriaRole.Timer)).ToHaveCountAsync(0);
        Assert.DoesNotContain(host.BaseUrl, tab.Url, StringComparison.Ordinal);
        await page.ScreenshotToAsync("63-verify-no-return.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Integrations after Bitbucket did not send the browser back");

        // The administrator corrects the Redirect URL in Bitbucket and verifies again from the panel.
        fake.RegisterClient(link with { RedirectUris = [callbackUrl] });
        var again = await page.Context.RunAndWaitForPageAsync(() => panel.GetByRole(AriaRole.Button, new() { Name = $"Verify again: {Name}" }).ClickAsync());
        await Assertions.Expect(status).ToHaveTextAsync(new Regex("^(Waiting for Bitbucket…|.* works: .*)$"));
        await again.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);
        await Assertions.Expect(status).ToContainTextAsync("Bitbucket identified you as Ada Lovelace", new() { Timeout = 30_000 });
    }

    /// <summary>Replace the Client Secret by verify-then-swap: a wrong new secret fails and stays pending, the right one is swapped in.</summary>
    [Fact]
    public async Task A_wrong_new_secret_fails_verification_and_stays_pending_the_right_one_is_swapped_in()
    {
        var (page, integrationId, link) = await OpenIntegrationsAsync("00:05:00", callbackUrl => callbackUrl);
        var baseUrl = host!.BaseUrl;

        await page.GetByRole(AriaRole.Link, new() { Name = $"{Name}: settings and actions" }).ClickAsync();
        await page.WaitForURLAsync($"{baseUrl}/integrations/{integrationId}");
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Replace Client Secret", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"{baseUrl}/integrations/{integrationId}/credentials");
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Replace the Client Secret of {Name}", Level = 1 })).ToBeVisibleAsync();
        await page.AssertNoAccessibilityViolationsAsync("setup session, Replace Client Secret, nothing pending");

        // Bitbucket still has the old secret: the pasted one is wrong, and Verify says so without touching the current one.
        var wrongSecret = BitbucketOAuthClient.RandomHex(32);
        await page.GetByLabel("New Client Secret").FillAsync(wrongSecret);
        // The button's name does not repeat the field's, so asking for the field by (part of) its label finds only it.
        await Assertions.Expect(page.GetByLabel("Client Secret")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the pasted value" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "New Client Secret" })).ToHaveValueAsync(wrongSecret);
        await page.ScreenshotToAsync("74-replace-secret-shown.png");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as pending" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("pending-note")).ToContainTextAsync("Sign-ins still use the current one");
        // The button is gone with the form: focus moves to the note that took its place.
        await page.WaitForFunctionAsync("() => document.activeElement?.querySelector('[data-testid=pending-note]') != null");
        await page.ScreenshotToAsync("75-replace-secret-pending.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Replace Client Secret, a new secret pending");

        var tab = await page.Context.RunAndWaitForPageAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Verify with the new secret" }).ClickAsync());
        await tab.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);
        await tab.WaitForURLAsync($"{baseUrl}/integrations/{integrationId}/credentials");
        await Assertions.Expect(tab.GetByTestId("status-message")).ToContainTextAsync("failed at the token step");
        await tab.CloseAsync();
        var panel = page.GetByRole(AriaRole.Region, new() { Name = $"Verify the new credentials of \"{Name}\"" });
        await Assertions.Expect(panel.GetByRole(AriaRole.Status)).ToContainTextAsync(
            $"Verifying the new Client Secret of \"{Name}\" failed at the token step", new() { Timeout = 30_000 });
        await Assertions.Expect(panel.GetByRole(AriaRole.Status)).ToContainTextAsync("The current Client Secret stays in use");
        await Assertions.Expect(page.GetByTestId("last-failure")).ToContainTextAsync("The token step failed");
        await page.ScreenshotToAsync("76-replace-secret-verify-failed.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Replace Client Secret, verification of the new secret failed");

        // The Bitbucket administrator resets the link's secret; the portal administrator discards the wrong one and pastes it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Discard the new Client Secret" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog, new() { Name = "Discard the new Client Secret?" }).GetByRole(AriaRole.Button, new() { Name = "Discard it" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "New Client Secret" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New Client Secret" })).ToBeFocusedAsync();
        var reset = fake.ResetClientSecret(link.ClientId);
        await page.GetByLabel("New Client Secret").FillAsync(reset.ClientSecret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as pending" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("pending-note")).ToBeVisibleAsync();

        tab = await page.Context.RunAndWaitForPageAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Verify with the new secret" }).ClickAsync());
        await tab.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);
        await tab.WaitForURLAsync($"{baseUrl}/integrations/{integrationId}/credentials");
        await Assertions.Expect(tab.GetByTestId("status-message")).ToContainTextAsync("It is now in use and the old one is discarded.");
        await tab.AssertNoAccessibilityViolationsAsync("setup session, the Verify tab after the new secret was swapped in");
        await tab.CloseAsync();
        await Assertions.Expect(panel.GetByRole(AriaRole.Status)).ToHaveTextAsync(
            $"The new Client Secret of \"{Name}\" works: Bitbucket identified you as Ada Lovelace (user name ada, id 101). It is now in use and the old one is discarded.",
            new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("pending-note")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByLabel("New Client Secret")).ToBeVisibleAsync();
        await page.ScreenshotToAsync("77-replace-secret-swapped.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Replace Client Secret, the new secret swapped in");
    }

    private static ILocator Panel(IPage page) => page.GetByRole(AriaRole.Region, new() { Name = $"Verify \"{Name}\"" });

    /// <summary>A portal with one OAuth 2 integration at the fake, and the setup administrator on its Integrations page.</summary>
    private async Task<(IPage Page, Guid IntegrationId, BitbucketOAuthClient Link)> OpenIntegrationsAsync(string returnTimeout, Func<string, string> registeredRedirect)
    {
        host = new PortalHost(settings: new Dictionary<string, string?> { ["Verify:ReturnTimeout"] = returnTimeout });
        var integrationId = Guid.NewGuid();
        var link = fake.RegisterClient("Portal", registeredRedirect(CallbackUrl.For(host.BaseUrl, integrationId)));
        host.Start();
        await host.Services.CreateIntegrationAsync(new NewIntegration(integrationId, Name, BitbucketServerPlatform.KindOf.Key, fake.BaseUrl,
            "8.9.1", OAuthVersion.OAuth2, link.ClientId, link.ClientSecret));
        var page = await browser.NewPageAsync();
        context = page.Context;
        await page.GotoAsync(host.SetupLink);
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations");
        await page.WaitForInteractiveAsync();
        return (page, integrationId, link);
    }
}
