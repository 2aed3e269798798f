using Portal.Core.Platforms.BitbucketServer;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Core.Platforms;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>OAuth 1 end to end in a browser: Bitbucket 7.17 behind a context path, linked through the wizard.</summary>
[Collection(BrowserCollection.Name)]
public sealed class OAuth1BrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Name = "Legacy Bitbucket";
    private readonly PortalHost host = new();
    private BitbucketFake fake = null!;

    public async Task InitializeAsync()
    {
        fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Version = "7.17.0", ContextPath = "/bitbucket" });
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
    public async Task A_reload_keeps_the_OAuth1_keys_the_admin_may_already_have_entered_in_Bitbucket()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();
        await page.GotoAsync($"{host.BaseUrl}/integrations/new");
        await page.WaitForInteractiveAsync();
        await Textbox(page, "Name").FillAsync(Name);
        await Textbox(page, "Base URL").FillAsync(fake.BaseUrl);
        await Assertions.Expect(page.GetByTestId("detected-oauth")).ToHaveTextAsync("OAuth 1");
        var consumerKey = await Textbox(page, "Consumer Key").InputValueAsync();
        var publicKey = await Textbox(page, "Public Key").InputValueAsync();
        Assert.Matches("^portal-[0-9a-f]{16}$", consumerKey);
        // The draft kept in the tab knows it showed keys once the field changes are saved.
        await page.WaitForFunctionAsync("() => sessionStorage.getItem('portal.integration-draft') !== null");

        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(); // the "leave page?" prompt for unsaved changes
        await page.ReloadAsync();
        await page.WaitForInteractiveAsync();

        await Assertions.Expect(page.GetByTestId("draft-restored")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("draft-restored")).Not.ToContainTextAsync("are new");
        await Assertions.Expect(Textbox(page, "Consumer Key")).ToHaveValueAsync(consumerKey);
        await Assertions.Expect(Textbox(page, "Public Key")).ToHaveValueAsync(publicKey);

        // Entered in Bitbucket before the reload, and still right after it: the integration signs in with them.
        fake.RegisterOAuth1Consumer(consumerKey, publicKey, Name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create Integration" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/integrations\\?created="));
        await using var scope = host.Services.CreateAsyncScope();
        var integrations = scope.ServiceProvider.GetRequiredService<IntegrationService>();
        var created = (await integrations.ListAsync()).Single();
        Assert.Equal(consumerKey, (await integrations.FindOAuth1LinkValuesAsync(created.Id))!.Value.ConsumerKey);
    }

    [Fact]
    public async Task The_setup_admin_links_Bitbucket_7_17_with_OAuth1_and_signs_in_as_the_first_administrator()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add Integration" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations/new");
        await page.WaitForInteractiveAsync();
        await Textbox(page, "Name").FillAsync(Name);
        await Textbox(page, "Base URL").FillAsync(fake.BaseUrl);

        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("Bitbucket 7.17.0");
        await Assertions.Expect(page.GetByTestId("detected-oauth")).ToHaveTextAsync("OAuth 1");
        await Assertions.Expect(page.GetByTestId("oauth1-required")).ToContainTextAsync("too old for OAuth 2");
        await Assertions.Expect(Textbox(page, "Application URL")).ToHaveValueAsync(host.BaseUrl);
        await Assertions.Expect(Textbox(page, "Application Name")).ToHaveValueAsync(Name);
        await Assertions.Expect(Textbox(page, "Application Type")).ToHaveValueAsync("Generic Application");
        await Assertions.Expect(Textbox(page, "Consumer Name")).ToHaveValueAsync(Name);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy Consumer Key" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy Public Key" })).ToBeVisibleAsync();
        await Assertions.Expect(Textbox(page, "Client ID")).ToHaveCountAsync(0);
        await Assertions.Expect(Textbox(page, "Client Secret")).ToHaveCountAsync(0);
        var consumerKey = await Textbox(page, "Consumer Key").InputValueAsync();
        var publicKey = await Textbox(page, "Public Key").InputValueAsync();
        Assert.Matches("^portal-[0-9a-f]{16}$", consumerKey);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", publicKey, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", await page.ContentAsync(), StringComparison.Ordinal);
        await page.GetByTestId("step-oauth").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("40-wizard-oauth1.png");
        await page.AssertNoAccessibilityViolationsAsync("wizard, OAuth 1 values shown");

        // What the admin does in Bitbucket: the link's Incoming Authentication gets the Consumer Key and the Public Key.
        fake.RegisterOAuth1Consumer(consumerKey, publicKey, Name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create Integration" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/integrations\\?created="));
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = Name });
        await Assertions.Expect(row).ToContainTextAsync(fake.BaseUrl);
        await Assertions.Expect(row).ToContainTextAsync("7.17.0");
        await Assertions.Expect(row).ToContainTextAsync("OAuth 1");
        await Assertions.Expect(row).ToContainTextAsync("Not verified");
        await page.ScreenshotToAsync("41-integrations-oauth1.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Integrations with an OAuth 1 integration");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Show keys of {Name}" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.GetByRole(AriaRole.Textbox, new() { Name = "Consumer Key", Exact = true })).ToHaveValueAsync(consumerKey);
        await page.AssertNoAccessibilityViolationsAsync("Integrations, OAuth 1 keys dialog");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Sign in with {Name}" }).ClickAsync();

        await page.WaitForURLAsync($"{host.BaseUrl}/");
        await Assertions.Expect(page.GetByTestId("current-user")).ToHaveTextAsync("Ada Lovelace");
        await Assertions.Expect(page.GetByTestId("status-message")).ToContainTextAsync("first administrator");
        await page.ScreenshotToAsync("42-first-administrator-oauth1.png");
        await page.AssertNoAccessibilityViolationsAsync("administrator, start page as the first administrator");
        Assert.Equal(1, fake.OAuth1AuthorizeRequests);
        Assert.Equal(200, Assert.Single(fake.OAuth1Requests, r => r.Endpoint == "access-token").Status);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Integrations", Exact = true }).ClickAsync();
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = Name })).ToContainTextAsync("Verified");
    }

    [Fact]
    public async Task A_wrong_public_key_and_a_skewed_clock_are_explained_where_the_admin_and_the_user_look()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.SetupLink);
        var keys = await CreateIntegrationAsync();
        fake.RegisterOAuth1ConsumerWithWrongKey(keys.ConsumerKey, Name);

        await page.GotoAsync($"{host.BaseUrl}/integrations");
        await page.WaitForInteractiveAsync();
        var tab = await page.Context.RunAndWaitForPageAsync(() => page.GetByRole(AriaRole.Button, new() { Name = $"Verify {Name}" }).ClickAsync());

        // OAuth 1 fails before the browser leaves: the new tab says so, and so does the page that started it.
        var tabStatus = tab.GetByTestId("status-message");
        await Assertions.Expect(tabStatus).ToContainTextAsync($"Verifying \"{Name}\" failed at the authorize step");
        await Assertions.Expect(tabStatus).ToContainTextAsync("paste this integration's public key again");
        Assert.EndsWith("/integrations", tab.Url, StringComparison.Ordinal);
        await tab.ScreenshotToAsync("43-verify-wrong-key-oauth1.png");
        await tab.AssertNoAccessibilityViolationsAsync("setup session, the Verify tab after a failed Verify");
        await tab.CloseAsync();
        var panelStatus = page.GetByRole(AriaRole.Region, new() { Name = $"Verify \"{Name}\"" }).GetByRole(AriaRole.Status);
        await Assertions.Expect(panelStatus).ToContainTextAsync($"Verifying \"{Name}\" failed at the authorize step");
        await Assertions.Expect(panelStatus).ToContainTextAsync("paste this integration's public key again");

        var status = page.GetByTestId("status-message");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Integrations after a failed Verify");

        fake.RegisterOAuth1Consumer(keys.ConsumerKey, keys.PublicKeyPem, Name);
        var bitbucketClock = new ShiftableTimeProvider();
        bitbucketClock.Advance(TimeSpan.FromMinutes(10));
        fake.Clock = bitbucketClock;
        await page.GotoAsync($"{host.BaseUrl}/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Sign in with {Name}" }).ClickAsync();

        // The sign-in page names the cause in plain words; the clocks are for the administrator, on the Status page.
        await Assertions.Expect(status).ToContainTextAsync("the clocks of the portal's server and Bitbucket's server disagree");
        await Assertions.Expect(status).Not.ToContainTextAsync("Portal clock");
        Assert.EndsWith("/signin", page.Url, StringComparison.Ordinal);
        await page.ScreenshotToAsync("44-sign-in-clock-skew-oauth1.png");
        await page.AssertNoAccessibilityViolationsAsync("sign-in page with a failed sign-in");

        await page.GotoAsync($"{host.BaseUrl}/status");
        await page.WaitForInteractiveAsync();
        var reason = page.GetByTestId("status-card").Filter(new() { HasText = Name }).GetByTestId("last-failure-reason");
        await Assertions.Expect(reason).ToContainTextAsync("clock skew");
        await Assertions.Expect(reason).ToContainTextAsync(new Regex("Portal clock: .* UTC\\. Bitbucket clock: .* UTC"));
        await reason.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("45-status-clock-skew-oauth1.png");
        await page.AssertNoAccessibilityViolationsAsync("Status, a card with sign-in failures");
    }

    private async Task<OAuth1Keys> CreateIntegrationAsync()
    {
        var pair = OAuth1KeyPair.Generate();
        var keys = new OAuth1Keys(OAuth1ConsumerKey.Generate(), pair.PublicKeyPem, pair.PrivateKeyPem);
        await host.Services.CreateIntegrationAsync(new NewIntegration(
            Guid.NewGuid(), Name, BitbucketServerPlatform.KindOf.Key, fake.BaseUrl, "7.17.0", OAuthVersion.OAuth1, "", "", keys));
        return keys;
    }
}
