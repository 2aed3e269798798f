using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed partial class WizardBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalHost host = new();
    private BitbucketFake fake = null!;

    public async Task InitializeAsync() => fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket" });

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await fake.DisposeAsync();
    }

    private async Task<IPage> OpenWizardAsync()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add Integration" }).ClickAsync();
        // The condition is the interactive page, not the load event (which waits for every last asset of the page).
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations/new", new() { WaitUntil = WaitUntilState.Commit });
        await page.WaitForInteractiveAsync();
        return page;
    }

    [Fact]
    public async Task An_admin_in_setup_mode_completes_the_wizard_and_finds_the_integration()
    {
        var page = await OpenWizardAsync();
        await page.ScreenshotToAsync("10-wizard-empty.png");
        await page.AssertNoAccessibilityViolationsAsync("wizard, empty");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true }).FillAsync("Acme Bitbucket");
        await Assertions.Expect(page.GetByTestId("step-name")).ToContainTextAsync("Bitbucket Data Center / Server");
        Assert.True(fake.BaseUrl.Length >= 30);
        // Human typing speed: about seven characters a second.
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Base URL", Exact = true }).PressSequentiallyAsync(fake.BaseUrl, new() { Delay = 140 });

        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("Bitbucket 8.9.1");
        await Assertions.Expect(page.GetByTestId("detected-oauth")).ToHaveTextAsync("OAuth 2");
        // The provider check's warning (a plain-http base URL) is heard as well as seen.
        await Assertions.Expect(page.GetByTestId("provider-check")).ToContainTextAsync("OAuth 2 provider answers, but");
        await Assertions.Expect(page.GetByTestId("base-url-announcement")).ToContainTextAsync("OAuth 2 provider answers, but");
        Assert.InRange(fake.ApplicationPropertiesRequests, 1, 2);
        await page.GetByTestId("step-base-url").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("11-wizard-version-detected.png");
        await page.AssertNoAccessibilityViolationsAsync("wizard, version found");

        var oauthVersion = page.GetByRole(AriaRole.Radiogroup, new() { Name = "OAuth version" });
        await Assertions.Expect(oauthVersion.GetByRole(AriaRole.Radio, new() { Name = "OAuth 2 (recommended)" })).ToBeCheckedAsync();
        var callback = page.GetByRole(AriaRole.Textbox, new() { Name = "Callback URL / Redirect URL", Exact = true });
        await Assertions.Expect(callback).ToHaveValueAsync(new Regex($"^{Regex.Escape(host.BaseUrl)}/signin/callback/[0-9a-f]{{32}}$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy Callback URL / Redirect URL" })).ToBeVisibleAsync();
        var applinks = page.GetByRole(AriaRole.Link, new() { Name = "Bitbucket's application links page" });
        await Assertions.Expect(applinks).ToHaveAttributeAsync("href", $"{fake.BaseUrl}/plugins/servlet/applinks/listApplicationLinks");
        await Assertions.Expect(applinks).ToHaveAttributeAsync("target", "_blank");
        await page.GetByTestId("step-oauth").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("12-wizard-oauth-settings.png");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Client ID", Exact = true }).FillAsync("0123456789abcdef0123456789abcdef");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Client Secret", Exact = true }).FillAsync("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Client Secret", Exact = true })).ToHaveAttributeAsync("type", "password");
        await page.ScreenshotToAsync("13-wizard-credentials.png");
        await page.AssertNoAccessibilityViolationsAsync("wizard, credentials entered");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create Integration" }).ClickAsync();

        await page.WaitForURLAsync(new Regex("/integrations\\?created="));
        var row = page.GetByRole(AriaRole.Table, new() { Name = "Integrations" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "Acme Bitbucket" });
        await Assertions.Expect(row).ToContainTextAsync(fake.BaseUrl);
        await Assertions.Expect(row).ToContainTextAsync("8.9.1");
        await Assertions.Expect(row).ToContainTextAsync("OAuth 2");
        await Assertions.Expect(row).ToContainTextAsync("Not verified");
        Assert.DoesNotContain("fedcba9876543210fedcba", await page.ContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotToAsync("14-integrations-created.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Integrations after creating one");
    }

    [Fact]
    public async Task A_base_url_bitbucket_does_not_answer_at_is_explained_and_the_failure_passes_the_scan()
    {
        var page = await OpenWizardAsync();
        var withoutContextPath = fake.BaseUrl[..^fake.ContextPath.Length];

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Base URL", Exact = true }).FillAsync(withoutContextPath);

        var failure = page.GetByTestId("check-failed");
        await Assertions.Expect(failure).ToContainTextAsync("Bitbucket answered 404 at /rest/api/1.0/application-properties");
        // Announced once, in one short line; the field's description holds the details without being a live region.
        var announcement = page.GetByTestId("base-url-announcement");
        await Assertions.Expect(announcement).ToHaveAttributeAsync("role", "status");
        await Assertions.Expect(announcement).ToContainTextAsync("Bitbucket answered 404 at /rest/api/1.0/application-properties");
        await Assertions.Expect(page.GetByTestId("base-url-status")).Not.ToHaveAttributeAsync("aria-live", "polite");
        await Assertions.Expect(page.GetByTestId("waiting-for-server")).ToBeVisibleAsync();
        await page.AssertNoAccessibilityViolationsAsync("wizard, failure message shown");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Base URL", Exact = true }).FillAsync("not a url");
        await Assertions.Expect(page.GetByTestId("base-url-invalid")).ToBeVisibleAsync();
        await page.AssertNoAccessibilityViolationsAsync("wizard, invalid base URL");
    }

    [Fact]
    public async Task A_reload_keeps_the_draft_but_asks_for_the_secret_again()
    {
        var page = await OpenWizardAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true }).FillAsync("Draft Bitbucket");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Base URL", Exact = true }).FillAsync(fake.BaseUrl);
        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("Bitbucket 8.9.1");
        var callbackUrl = await page.GetByRole(AriaRole.Textbox, new() { Name = "Callback URL / Redirect URL", Exact = true }).InputValueAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Client Secret", Exact = true }).FillAsync("secret-typed-before-reload");

        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(); // the "leave page?" prompt for unsaved changes
        await page.ReloadAsync();
        await page.WaitForInteractiveAsync();

        await Assertions.Expect(page.GetByTestId("draft-restored")).ToBeVisibleAsync();
        // Inside a status region the page rendered before the draft was read, so screen readers announce it.
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { Has = page.GetByTestId("draft-restored") })).ToHaveCountAsync(1);
        await page.AssertNoAccessibilityViolationsAsync("wizard, draft restored after a reload");
        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true })).ToHaveValueAsync("Draft Bitbucket");
        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("Bitbucket 8.9.1");
        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Callback URL / Redirect URL", Exact = true })).ToHaveValueAsync(callbackUrl);
        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Client Secret", Exact = true })).ToHaveValueAsync("");
    }

    [Fact]
    public async Task A_refused_Create_Integration_keeps_the_focus_on_its_button_and_says_why()
    {
        var page = await OpenWizardAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true }).FillAsync("Taken Meanwhile");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Base URL", Exact = true }).FillAsync(fake.BaseUrl);
        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("Bitbucket 8.9.1");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Client ID", Exact = true }).FillAsync("0123456789abcdef0123456789abcdef");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Client Secret", Exact = true }).FillAsync("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
        // Another administrator creates one with the same name while this one is still typing.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Portal.Core.Persistence.PortalDbContext>();
            db.Integrations.Add(new Portal.Core.Integrations.Integration
            {
                Platform = Portal.Core.Platforms.BitbucketServer.BitbucketServerPlatform.KindOf.Key, Id = Guid.NewGuid(), Name = "Taken Meanwhile",
                BaseUrl = "https://bitbucket.example.com", ClientId = "id", ProtectedClientSecret = "x",
            });
            await db.SaveChangesAsync();
        }

        var create = page.GetByRole(AriaRole.Button, new() { Name = "Create Integration" });
        await create.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "The integration was not created" })).ToContainTextAsync("already exists");
        // The keyboard is still where it was, to fix the name and try again, and the button is no longer busy.
        await Assertions.Expect(create).ToBeFocusedAsync();
        await Assertions.Expect(create).Not.ToHaveAttributeAsync("aria-disabled", "true");
    }

    [Fact]
    public async Task A_kept_draft_whose_integration_was_created_meanwhile_is_not_restored()
    {
        var page = await OpenWizardAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true }).FillAsync("Created Elsewhere");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Base URL", Exact = true }).FillAsync(fake.BaseUrl);
        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("Bitbucket 8.9.1");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Client ID", Exact = true }).FillAsync("0123456789abcdef0123456789abcdef");
        // What a duplicated tab (or a tab whose connection dropped during Create) still holds: the draft kept before Create.
        const string draftKey = "portal.integration-draft";
        await page.WaitForFunctionAsync($"() => sessionStorage.getItem('{draftKey}') !== null");
        var keptDraft = await page.EvaluateAsync<string>($"() => sessionStorage.getItem('{draftKey}')");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Client Secret", Exact = true }).FillAsync("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create Integration" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/integrations\\?created="));

        await page.EvaluateAsync("([key, value]) => sessionStorage.setItem(key, value)", new[] { draftKey, keptDraft });
        await page.GotoAsync($"{host.BaseUrl}/integrations/new");
        await page.WaitForInteractiveAsync();

        var notice = page.GetByTestId("draft-already-created");
        await Assertions.Expect(notice).ToContainTextAsync("already created as the integration Created Elsewhere");
        await Assertions.Expect(notice.GetByRole(AriaRole.Link, new() { Name = "Created Elsewhere" })).ToHaveAttributeAsync("href", new Regex("^/integrations/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.GetByTestId("draft-restored")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true })).ToHaveValueAsync("");
        Assert.Null(await page.EvaluateAsync<string?>($"() => sessionStorage.getItem('{draftKey}')"));
        await page.AssertNoAccessibilityViolationsAsync("wizard, kept draft already created");
    }

    [Fact]
    public async Task Start_over_clears_the_draft_and_leaves_the_focus_on_the_page_heading()
    {
        var page = await OpenWizardAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true }).FillAsync("Half done");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start over" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Start over?" });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Start over" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true })).ToHaveValueAsync("");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start over" })).ToHaveCountAsync(0);
        // The button that had the focus went with the draft: focus is on the heading, not lost to the top of the document.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add Integration", Level = 1 })).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Leaving_with_unsaved_changes_asks_first()
    {
        var page = await OpenWizardAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true }).FillAsync("Half done");
        // "Start over" appears in the same render that arms the leave prompt; clicking earlier would leave unasked.
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start over" })).ToBeVisibleAsync();
        var asked = new TaskCompletionSource<string>();
        page.Dialog += async (_, dialog) =>
        {
            asked.TrySetResult(dialog.Type);
            await dialog.DismissAsync();
        };

        await page.GetByRole(AriaRole.Link, new() { Name = "Integrations", Exact = true }).ClickAsync();

        Assert.Equal("beforeunload", await asked.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true })).ToHaveValueAsync("Half done");
        Assert.EndsWith("/integrations/new", page.Url, StringComparison.Ordinal);
    }
}
