using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>
/// WCAG 2.1 AA: the pages no other browser test opens pass the axe scan (the others scan the pages they reach), and the
/// whole Add Integration wizard works with the keyboard alone, with visible focus and announced results.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private SignInScenario scenario = null!;

    private PortalHost Host => scenario.Host;

    public async Task InitializeAsync()
    {
        // No background checks: the status card stays "Not checked yet".
        // Plain http with the https rule skipped, as Bitbucket allows by a system property: Chromium does not trust the fake's test certificate.
        scenario = await SignInScenario.StartAsync(new()
        {
            PortalSettings = new Dictionary<string, string?> { ["Status:Enabled"] = "false" },
            Fake = new BitbucketFakeOptions { SkipHttpsRequirement = true },
        });
        Host.Start();
    }

    public async Task DisposeAsync() => await scenario.DisposeAsync();

    [Fact]
    public async Task Every_page_an_anonymous_visitor_can_open_passes_the_scan()
    {
        var page = await browser.NewPageAsync();

        foreach (var (path, heading) in new[]
                 {
                     ("/", "Integration Portal"),
                     ("/signin", "Sign in"),
                     ("/access", "Administrator access"),
                     ("/access?problem=setup-link-unknown", "Administrator access"),
                     ("/integrations/new", "Administrator access"),
                     ("/no/such/page", "Page not found"),
                     ("/error/400", "The request could not be understood"),
                     ("/error/405", "This address does not work this way"),
                     ("/error/429", "Too many requests"),
                 })
        {
            await page.GotoAsync(Host.BaseUrl + path);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 })).ToBeVisibleAsync();
            await page.AssertNoAccessibilityViolationsAsync($"anonymous, {path}");
        }

        // A sign-in that Bitbucket refused: the error message on the sign-in page.
        await page.GotoAsync($"{Host.BaseUrl}/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Sign in with {SignInScenario.IntegrationName}" }).ClickAsync();
        await page.ChooseOnBitbucketAsync(BitbucketFakeUser.Ada, ConsentChoice.Deny);
        await Assertions.Expect(page.GetByTestId("status-message")).ToBeVisibleAsync();
        // The reason comes before the heading: the page opens on it, so it is read first.
        await Assertions.Expect(page.GetByTestId("status-message")).ToBeFocusedAsync();
        await page.AssertNoAccessibilityViolationsAsync("anonymous, sign-in refused by Bitbucket");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_skip_link_comes_first_and_moves_to_the_page_s_main_content_on_the_same_page()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{Host.BaseUrl}/signin?returnUrl=%2Faccount");

        // The page opens with the focus on its heading.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeFocusedAsync();
        // First in the page's tab order (the page itself puts the focus on its heading when it opens).
        var firstFocusable = await page.EvaluateAsync<string>("() => document.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex=\"-1\"])').textContent.trim()");
        Assert.Equal("Skip to main content", firstFocusable);
        var skip = page.GetByRole(AriaRole.Link, new() { Name = "Skip to main content" });
        await skip.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await page.WaitForURLAsync($"{Host.BaseUrl}/signin?returnUrl=%2Faccount#main");
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToBeFocusedAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Every_page_a_signed_in_user_can_open_passes_the_scan()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{Host.BaseUrl}/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Sign in with {SignInScenario.IntegrationName}" }).ClickAsync();
        await page.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);
        await page.WaitForURLAsync($"{Host.BaseUrl}/");
        await Assertions.Expect(page.GetByTestId("current-user")).ToHaveTextAsync("Ada Lovelace");
        await page.AssertNoAccessibilityViolationsAsync("user, start page after signing in");

        await page.GotoAsync($"{Host.BaseUrl}/account");
        await Assertions.Expect(page.GetByTestId("account-details")).ToContainTextAsync("Ada Lovelace");
        await page.AssertNoAccessibilityViolationsAsync("user, account");

        await page.GotoAsync($"{Host.BaseUrl}/signin");
        await Assertions.Expect(page.GetByTestId("already-signed-in")).ToBeVisibleAsync();
        await page.AssertNoAccessibilityViolationsAsync("user, sign-in page while signed in");

        await page.GotoAsync($"{Host.BaseUrl}/people");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Administrator access", Level = 1 })).ToBeVisibleAsync();
        await page.AssertNoAccessibilityViolationsAsync("user, an administrator's page");

        await page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("status-message")).ToContainTextAsync("You are signed out.");
        await page.AssertNoAccessibilityViolationsAsync("signed out");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_status_card_not_checked_yet_passes_the_scan()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(Host.SetupLink);
        await page.GotoAsync($"{Host.BaseUrl}/status");
        await page.WaitForInteractiveAsync();

        await Assertions.Expect(page.GetByTestId("status-badge")).ToHaveTextAsync("Not checked yet");
        await page.AssertNoAccessibilityViolationsAsync("Status, a card Not checked yet");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_whole_wizard_works_with_the_keyboard_alone()
    {
        var fake = scenario.Bitbucket;
        var page = await browser.NewPageAsync();
        var keyboard = new KeyboardUser(page);
        await page.GotoAsync(Host.SetupLink);
        await page.WaitForInteractiveAsync();

        // The Integrations page: Tab to Add Integration and follow it.
        await keyboard.TabToAsync(page.GetByRole(AriaRole.Link, new() { Name = "Add Integration" }));
        await keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"{Host.BaseUrl}/integrations/new");
        await page.WaitForInteractiveAsync();

        // 1. Name and platform: type the name; choose the platform with the arrow keys (the native select changes as they
        // move, and the wizard follows), ending on Bitbucket.
        await keyboard.TabToAsync(Textbox(page, "Name"));
        await keyboard.TypeAsync("Keyboard Bitbucket");
        var platform = page.GetByRole(AriaRole.Combobox, new() { Name = "Platform" });
        await Assertions.Expect(platform.GetByRole(AriaRole.Option)).ToHaveTextAsync(["Bitbucket Data Center / Server", "GitLab Self-Managed"]);
        await keyboard.TabToAsync(platform);
        await keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(Textbox(page, "Base URL")).ToHaveAttributeAsync("placeholder", "https://gitlab.example.com");
        await keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(Textbox(page, "Base URL")).ToHaveAttributeAsync("placeholder", "https://bitbucket.example.com");
        await Assertions.Expect(platform.Locator("option:checked")).ToHaveTextAsync("Bitbucket Data Center / Server");
        await keyboard.AssertFocusedAsync(platform);

        // 2. Base URL: the live check's result is shown in a region screen readers announce.
        await keyboard.TabToAsync(Textbox(page, "Base URL"));
        await keyboard.TypeAsync(fake.BaseUrl);
        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("Bitbucket 8.9.1");
        // Typing faster than the server answers loses no keystroke.
        await Assertions.Expect(Textbox(page, "Name")).ToHaveValueAsync("Keyboard Bitbucket");
        await Assertions.Expect(Textbox(page, "Base URL")).ToHaveValueAsync(fake.BaseUrl);
        await AssertAnnouncedAsync(page.GetByTestId("base-url-announcement"), "Bitbucket 8.9.1");
        await page.AssertNoAccessibilityViolationsAsync("keyboard wizard, version found");

        // 3. OAuth version: arrow keys move between the radios, and the page follows.
        var oauthVersion = page.GetByRole(AriaRole.Radiogroup, new() { Name = "OAuth version" });
        var oauth2 = oauthVersion.GetByRole(AriaRole.Radio, new() { Name = "OAuth 2 (recommended)" });
        var oauth1 = oauthVersion.GetByRole(AriaRole.Radio, new() { Name = "OAuth 1" });
        await keyboard.TabToAsync(oauth2);
        await keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(oauth1).ToBeCheckedAsync();
        await keyboard.AssertFocusedAsync(oauth1);
        await Assertions.Expect(page.GetByTestId("oauth1-on-new-server")).ToBeVisibleAsync();
        await Assertions.Expect(Textbox(page, "Consumer Key")).ToBeVisibleAsync();
        await keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(oauth2).ToBeCheckedAsync();
        await keyboard.AssertFocusedAsync(oauth2);
        await Assertions.Expect(page.GetByTestId("oauth1-on-new-server")).ToHaveCountAsync(0);

        // The copy button is in the tab order, keeps the focus, and its result is announced.
        var callbackField = Textbox(page, "Callback URL / Redirect URL");
        await keyboard.TabToAsync(callbackField);
        var copy = page.GetByRole(AriaRole.Button, new() { Name = "Copy Callback URL / Redirect URL" });
        await keyboard.TabToAsync(copy);
        await keyboard.PressAsync("Enter");
        var copyStatus = page.GetByTestId("step-oauth").GetByRole(AriaRole.Status).Filter(new() { HasText = "copied" });
        await Assertions.Expect(copyStatus).ToHaveTextAsync("Callback URL / Redirect URL copied.");
        await AssertAnnouncedAsync(copyStatus, "Callback URL / Redirect URL copied.");
        await keyboard.AssertFocusedAsync(copy);
        await page.GetByTestId("step-oauth").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("15-wizard-keyboard-copied.png");
        // What the admin does in Bitbucket: an incoming link with the portal's Redirect URL; Bitbucket shows the credentials.
        var link = fake.RegisterClient("Keyboard portal", await callbackField.InputValueAsync());

        // 4. Client ID and Client Secret, the secret shown and hidden again with Space; Shift+Tab goes back to it.
        await keyboard.TabToAsync(Textbox(page, "Client ID"));
        await keyboard.TypeAsync(link.ClientId);
        var secret = Textbox(page, "Client Secret");
        await keyboard.TabToAsync(secret);
        await keyboard.TypeAsync(link.ClientSecret);
        await Assertions.Expect(secret).ToHaveAttributeAsync("type", "password");
        await keyboard.TabToAsync(page.GetByRole(AriaRole.Button, new() { Name = "Show Client Secret" }));
        await keyboard.PressAsync("Space");
        await Assertions.Expect(secret).ToHaveAttributeAsync("type", "text");
        var hide = page.GetByRole(AriaRole.Button, new() { Name = "Hide Client Secret" });
        await keyboard.AssertFocusedAsync(hide);
        await keyboard.PressAsync("Shift+Tab");
        await keyboard.AssertFocusedAsync(secret);
        await Assertions.Expect(secret).ToHaveValueAsync(link.ClientSecret);
        await keyboard.PressAsync("Tab");
        await keyboard.AssertFocusedAsync(hide);
        await keyboard.PressAsync("Space");
        await Assertions.Expect(secret).ToHaveAttributeAsync("type", "password");

        // Create Integration, and the integration is there.
        await keyboard.TabToAsync(page.GetByRole(AriaRole.Button, new() { Name = "Create Integration" }));
        await keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(new Regex("/integrations\\?created="));
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Keyboard Bitbucket" });
        await Assertions.Expect(row).ToContainTextAsync(fake.BaseUrl);
        await Assertions.Expect(row).ToContainTextAsync("Not verified");
        await page.AssertNoAccessibilityViolationsAsync("keyboard wizard, integration created");
        await page.Context.CloseAsync();
    }

    private static ILocator Textbox(IPage page, string name) => page.GetByRole(AriaRole.Textbox, new() { Name = name, Exact = true });

    /// <summary>The element's text is inside a live region (aria-live polite/assertive, or role status/alert), so it is read out.</summary>
    private static async Task AssertAnnouncedAsync(ILocator element, string text)
    {
        await Assertions.Expect(element).ToContainTextAsync(text);
        var region = await element.EvaluateAsync<string?>("""
            e => {
              const live = e.closest('[aria-live="polite"], [aria-live="assertive"], [role="status"], [role="alert"]');
              return live && live.getAttribute('aria-live') !== 'off' ? live.outerHTML.slice(0, 120) : null;
            }
            """);
        Assert.True(region is not null, $"\"{text}\" is not inside a live region, so screen readers do not announce it.");
    }
}
