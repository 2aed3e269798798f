using Microsoft.Playwright;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class FirstAdministratorBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalHost host = new();
    private BitbucketFake fake = null!;

    public async Task InitializeAsync()
    {
        // Told to skip Bitbucket's https rule: Chromium does not trust the fake's test certificate (the rule has host tests).
        fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { SkipHttpsRequirement = true });
        fake.AddUser(BitbucketFakeUser.Ada);
        fake.ConsentingUser = BitbucketFakeUser.Ada;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await fake.DisposeAsync();
    }

    private static ILocator Textbox(IPage page, string name) => page.GetByRole(AriaRole.Textbox, new() { Name = name, Exact = true });

    [Fact]
    public async Task The_setup_admin_creates_an_integration_signs_in_with_bitbucket_and_becomes_the_first_administrator()
    {
        var setupLink = host.SetupLink;
        var page = await browser.NewPageAsync();
        await page.GotoAsync(setupLink);
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add Integration" }).ClickAsync();
        await page.WaitForInteractiveAsync();
        await Textbox(page, "Name").FillAsync("Acme Bitbucket");
        await Textbox(page, "Base URL").FillAsync(fake.BaseUrl);
        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("Bitbucket 8.9.1");
        // What the admin does in Bitbucket: an incoming link with the portal's Redirect URL; Bitbucket shows the credentials.
        var link = fake.RegisterClient("Acme portal", await Textbox(page, "Callback URL / Redirect URL").InputValueAsync());
        await Textbox(page, "Client ID").FillAsync(link.ClientId);
        await Textbox(page, "Client Secret").FillAsync(link.ClientSecret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create Integration" }).ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/integrations\\?created="));

        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/signin");
        await Assertions.Expect(page.GetByTestId("first-admin-note")).ToBeVisibleAsync();
        await page.ScreenshotToAsync("30-sign-in.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, sign-in page");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Acme Bitbucket" }).ClickAsync();
        await page.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);

        await page.WaitForURLAsync($"{host.BaseUrl}/");
        await Assertions.Expect(page.GetByTestId("current-user")).ToHaveTextAsync("Ada Lovelace");
        await Assertions.Expect(page.GetByTestId("status-message")).ToContainTextAsync("first administrator");
        await Assertions.Expect(page.GetByTestId("setup-mode-banner")).ToHaveCountAsync(0);
        await page.ScreenshotToAsync("31-first-administrator.png");
        await page.AssertNoAccessibilityViolationsAsync("administrator, start page as the first administrator");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Integrations", Exact = true }).ClickAsync();
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Acme Bitbucket" })).ToContainTextAsync("Verified");
        await Assertions.Expect(page.GetByTestId("setup-mode-banner")).ToHaveCountAsync(0);
        await page.AssertNoAccessibilityViolationsAsync("administrator, Integrations");

        await page.GotoAsync(setupLink);
        await Assertions.Expect(page.GetByTestId("access-problem")).ToContainTextAsync("Setup is finished");
        Assert.EndsWith("/access?problem=setup-mode-over", page.Url, StringComparison.Ordinal);
        await page.AssertNoAccessibilityViolationsAsync("administrator, a used setup link");
    }
}
