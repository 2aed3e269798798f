using Microsoft.Playwright;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>
/// Replace the Client Secret by verify-then-swap, as an administrator does it: paste the new secret, verify it in a new
/// tab, see it fail and the current secret stay, then paste the right one, verify, and see it swapped in.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReplaceSecretBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Name = "Acme Bitbucket";
    private BitbucketFake fake = null!;
    private PortalHost? host;
    private IBrowserContext? context;

    public async Task InitializeAsync()
    {
        // Plain http with the https rule skipped, as in VerifyBrowserTests: Chromium does not trust the fake's test certificate.
        fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { SkipHttpsRequirement = true });
        fake.AddUser(BitbucketFakeUser.Ada);
        fake.ConsentingUser = BitbucketFakeUser.Ada;
    }

    public async Task DisposeAsync()
    {
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
    public async Task A_wrong_new_secret_fails_verification_and_stays_pending_the_right_one_is_swapped_in()
    {
        host = new PortalHost(settings: new Dictionary<string, string?> { ["Verify:ReturnTimeout"] = "00:05:00" });
        var integrationId = Guid.NewGuid();
        var link = fake.RegisterClient("Portal", CallbackUrl.For(host.BaseUrl, integrationId));
        host.Start();
        await host.Services.CreateIntegrationAsync(new NewIntegration(integrationId, Name, PlatformRegistry.BitbucketServer.Key, fake.BaseUrl,
            "8.9.1", OAuthVersion.OAuth2, link.ClientId, link.ClientSecret));
        var page = await browser.NewPageAsync();
        context = page.Context;
        await page.GotoAsync(host.SetupLink);
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations");
        await page.WaitForInteractiveAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = $"{Name}: settings and actions" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations/{integrationId}");
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Replace Client Secret", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations/{integrationId}/credentials");
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Replace the Client Secret of {Name}", Level = 1 })).ToBeVisibleAsync();
        await page.AssertNoAccessibilityViolationsAsync("setup session, Replace Client Secret, nothing pending");

        // Bitbucket still has the old secret: the pasted one is wrong, and Verify says so without touching the current one.
        await page.GetByLabel("New Client Secret").FillAsync(BitbucketOAuthClient.RandomHex(32));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as pending" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("pending-note")).ToContainTextAsync("Sign-ins still use the current one");
        await page.ScreenshotToAsync("75-replace-secret-pending.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Replace Client Secret, a new secret pending");

        var tab = await page.Context.RunAndWaitForPageAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Verify with the new secret" }).ClickAsync());
        await tab.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);
        await tab.WaitForURLAsync($"{host.BaseUrl}/integrations/{integrationId}/credentials");
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
        await Assertions.Expect(page.GetByLabel("New Client Secret")).ToBeVisibleAsync();
        var reset = fake.ResetClientSecret(link.ClientId);
        await page.GetByLabel("New Client Secret").FillAsync(reset.ClientSecret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as pending" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("pending-note")).ToBeVisibleAsync();

        tab = await page.Context.RunAndWaitForPageAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Verify with the new secret" }).ClickAsync());
        await tab.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);
        await tab.WaitForURLAsync($"{host.BaseUrl}/integrations/{integrationId}/credentials");
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
}
