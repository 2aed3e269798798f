using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.Fakes.GitLab;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>GitLab Self-Managed end to end in Chromium: wizard, first sign-in, Integrations and Status, against the GitLab fake.</summary>
[Collection(BrowserCollection.Name)]
public sealed class GitLabBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalHost host = new();
    private GitLabFake gitLab = null!;

    public async Task InitializeAsync()
    {
        gitLab = await GitLabFake.StartAsync(new GitLabFakeOptions { RelativeUrlRoot = "/gitlab" });
        gitLab.Version = "17.5.1-ee";
        gitLab.AddUser(GitLabFakeUser.Ada);
        gitLab.SignedInUser = GitLabFakeUser.Ada;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await gitLab.DisposeAsync();
    }

    private static ILocator Textbox(IPage page, string name) => page.GetByRole(AriaRole.Textbox, new() { Name = name, Exact = true });

    [Fact]
    public async Task The_setup_admin_adds_GitLab_signs_in_through_it_becomes_administrator_and_sees_it_connected()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add Integration" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations/new");
        await page.WaitForInteractiveAsync();

        // 1. Name and platform.
        await Textbox(page, "Name").FillAsync("Acme GitLab");
        var platform = page.GetByRole(AriaRole.Combobox, new() { Name = "Platform" });
        await platform.SelectOptionAsync(new SelectOptionValue { Label = "GitLab Self-Managed" });
        await Assertions.Expect(platform.Locator("option:checked")).ToHaveTextAsync("GitLab Self-Managed");
        await Assertions.Expect(Textbox(page, "Base URL")).ToHaveAttributeAsync("placeholder", "https://gitlab.example.com");

        // 2. Base URL with its relative URL root: GitLab is found through its discovery document.
        await Textbox(page, "Base URL").FillAsync(gitLab.BaseUrl);
        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("GitLab");
        await Assertions.Expect(page.GetByTestId("check-found-hint")).ToContainTextAsync("after the first one");
        await Assertions.Expect(page.GetByTestId("provider-check")).ToContainTextAsync($"names {gitLab.BaseUrl} as its own address");
        await page.GetByTestId("step-base-url").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("90-gitlab-wizard-found.png");
        await page.AssertNoAccessibilityViolationsAsync("GitLab wizard, GitLab found");

        // 3. GitLab's own steps: Admin Area → Applications → New application, with the Redirect URI to paste.
        var steps = page.GetByTestId("platform-steps");
        await Assertions.Expect(steps).ToContainTextAsync("Redirect URI");
        await Assertions.Expect(steps).ToContainTextAsync("Confidential");
        await Assertions.Expect(steps).ToContainTextAsync("read_user");
        var newApplication = page.GetByRole(AriaRole.Link, new() { Name = "GitLab's new application page (Admin area, Applications)" });
        await Assertions.Expect(newApplication).ToHaveAttributeAsync("href", $"{gitLab.BaseUrl}/admin/applications/new");
        await Assertions.Expect(page.GetByRole(AriaRole.Radiogroup, new() { Name = "OAuth version" })).ToHaveCountAsync(0);
        var callback = await Textbox(page, "Callback URL / Redirect URL").InputValueAsync();
        Assert.Matches(new Regex($"^{Regex.Escape(host.BaseUrl)}/signin/callback/[0-9a-f]{{32}}$"), callback);
        await page.GetByTestId("step-oauth").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("91-gitlab-wizard-steps.png");

        // What the admin does in GitLab: a confidential application with the Redirect URI and read_user; GitLab shows the credentials.
        var application = gitLab.RegisterApplication("Acme portal", callback);
        await Textbox(page, "Application ID").FillAsync(application.ApplicationId);
        await Textbox(page, "Secret").FillAsync(application.Secret);
        await Assertions.Expect(Textbox(page, "Secret")).ToHaveAttributeAsync("type", "password");
        await page.GetByTestId("step-credentials").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("92-gitlab-wizard-credentials.png");
        await page.AssertNoAccessibilityViolationsAsync("GitLab wizard, credentials entered");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create Integration" }).ClickAsync();

        await page.WaitForURLAsync(new Regex("/integrations\\?created="));
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Acme GitLab" });
        await Assertions.Expect(row).ToContainTextAsync("GitLab Self-Managed");
        await Assertions.Expect(row).ToContainTextAsync("after first sign-in");
        Assert.DoesNotContain(application.Secret, await page.ContentAsync(), StringComparison.Ordinal);

        // Sign in with GitLab: GitLab's Authorize page, then back as the first administrator.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Acme GitLab" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Authorize Acme portal to use your account?" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Authorize", Exact = true }).ClickAsync();

        await page.WaitForURLAsync($"{host.BaseUrl}/");
        await Assertions.Expect(page.GetByTestId("current-user")).ToHaveTextAsync("Ada Lovelace");
        await Assertions.Expect(page.GetByTestId("status-message")).ToContainTextAsync("first administrator");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Integrations", Exact = true }).ClickAsync();
        await page.WaitForInteractiveAsync();
        row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Acme GitLab" });
        await Assertions.Expect(row).ToContainTextAsync("Verified");
        await Assertions.Expect(row).ToContainTextAsync("17.5.1-ee");
        await page.ScreenshotToAsync("93-gitlab-integrations.png");

        // Status: Check now runs the chain against GitLab and the card turns Connected without a reload.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Status", Exact = true }).ClickAsync();
        await page.WaitForInteractiveAsync();
        var card = page.Locator("[data-testid=status-card][data-integration='Acme GitLab']");
        await card.GetByRole(AriaRole.Button, new() { Name = "Check now: Acme GitLab" }).ClickAsync();
        await Assertions.Expect(card.GetByTestId("status-badge")).ToHaveTextAsync("Connected");
        await Assertions.Expect(card.GetByTestId("steps").Locator("[data-step=Server]")).ToContainTextAsync("GitLab answered in");
        await Assertions.Expect(card.GetByTestId("fact-version")).ToContainTextAsync("17.5.1-ee");
        await card.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("94-gitlab-status.png");
        await page.AssertNoAccessibilityViolationsAsync("administrator, Status with a GitLab integration");
    }

    [Fact]
    public async Task A_GitLab_behind_a_proxy_that_refuses_its_discovery_document_is_found_by_its_API_and_the_wizard_says_what_answered()
    {
        gitLab.Mode = GitLabFakeMode.DiscoveryMissing;
        gitLab.DiscoveryRefusalStatus = 403;
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();
        await page.GotoAsync($"{host.BaseUrl}/integrations/new");
        await page.WaitForInteractiveAsync();

        await Textbox(page, "Name").FillAsync("Acme GitLab");
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Platform" }).SelectOptionAsync(new SelectOptionValue { Label = "GitLab Self-Managed" });
        await Textbox(page, "Base URL").FillAsync(gitLab.BaseUrl);

        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("GitLab");
        await Assertions.Expect(page.GetByTestId("check-found-hint")).ToContainTextAsync(
            "Recognised by GitLab's API at /gitlab/api/v4/version: /gitlab/.well-known/openid-configuration answered 403 Forbidden");
        await Assertions.Expect(page.GetByTestId("provider-check")).ToContainTextAsync("could not compare GitLab's own address");
        await Assertions.Expect(page.GetByTestId("platform-steps")).ToContainTextAsync("Redirect URI");
        await page.GetByTestId("step-base-url").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("98-gitlab-wizard-found-by-api.png");
    }
}
