using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>The portal's Content-Security-Policy holds in Chromium: Blazor, MudBlazor and the avatar work under it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string ReportViolation = "portalTestReportPolicyViolation";
    private readonly PortalHost host = new();
    private readonly ConcurrentQueue<string> violations = new();
    private BitbucketFake fake = null!;
    private IBrowserContext? context;

    public async Task InitializeAsync()
    {
        // Told to skip Bitbucket's https rule: Chromium does not trust the fake's test certificate (the rule has host tests).
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
        await host.DisposeAsync();
        await fake.DisposeAsync();
    }

    private static ILocator Textbox(IPage page, string name) => page.GetByRole(AriaRole.Textbox, new() { Name = name, Exact = true });

    [Fact]
    public async Task The_wizard_sign_in_account_and_status_pages_work_without_a_policy_violation()
    {
        var page = await NewWatchedPageAsync();
        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();
        await AssertViolationsAreSeenAsync(page);

        // The wizard: MudBlazor inputs, the live check over the circuit, the copy field.
        await page.GetByRole(AriaRole.Link, new() { Name = "Add Integration" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations/new");
        await page.WaitForInteractiveAsync();
        await Textbox(page, "Name").FillAsync("Acme Bitbucket");
        await Textbox(page, "Base URL").FillAsync(fake.BaseUrl);
        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("Bitbucket 8.9.1");
        var link = fake.RegisterClient("Acme portal", await Textbox(page, "Callback URL / Redirect URL").InputValueAsync());
        await Textbox(page, "Client ID").FillAsync(link.ClientId);
        await Textbox(page, "Client Secret").FillAsync(link.ClientSecret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create Integration" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/integrations\\?created="));

        // The sign-in page, the round trip through Bitbucket, and the account page with the Bitbucket avatar.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/signin");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Acme Bitbucket" }).ClickAsync();
        await page.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);
        await page.WaitForURLAsync($"{host.BaseUrl}/");
        var avatarRequested = page.WaitForRequestAsync(new Regex($"^{Regex.Escape(fake.BaseUrl)}/users/ada/avatar\\.png"));
        await page.GetByTestId("current-user").ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/account");
        await Assertions.Expect(page.GetByTestId("account-details")).ToContainTextAsync("Ada Lovelace");
        // A request blocked by the policy is never sent: this one went out, from the Bitbucket origin.
        await avatarRequested;

        // The live status dashboard.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Status" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/status");
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Integration status", Level = 1 })).ToBeVisibleAsync();
        var card = page.Locator("[data-testid=status-card][data-integration='Acme Bitbucket']");
        await card.GetByRole(AriaRole.Button, new() { Name = "Check now: Acme Bitbucket" }).ClickAsync();
        await Assertions.Expect(card.GetByTestId("steps").Locator("[data-step=TcpConnect]")).ToContainTextAsync("Passed");
        await Assertions.Expect(card.GetByTestId("status-badge")).ToHaveTextAsync("Connected");

        Assert.True(violations.IsEmpty, "Content Security Policy violations:\n" + string.Join('\n', violations));
    }

    /// <summary>A page whose policy violations (events and console messages) land in <see cref="violations"/>.</summary>
    private async Task<IPage> NewWatchedPageAsync()
    {
        context = await browser.NewContextAsync();
        await context.ExposeFunctionAsync<string>(ReportViolation, text => violations.Enqueue("event: " + text));
        await context.AddInitScriptAsync($$"""
            document.addEventListener('securitypolicyviolation', e =>
                window.{{ReportViolation}}(`${e.violatedDirective} blocked ${e.blockedURI || 'inline code'} on ${e.documentURI} (${e.sourceFile}:${e.lineNumber})`));
            """);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Enqueue("console: " + message.Text);
            }
        };
        return page;
    }

    /// <summary>Proves the watch works: an inline script is blocked, and both the event and the console message are seen.</summary>
    private async Task AssertViolationsAreSeenAsync(IPage page)
    {
        Assert.True(violations.IsEmpty, "Content Security Policy violations on the first page:\n" + string.Join('\n', violations));
        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.inlineScriptRan = true'; document.head.appendChild(s); }");

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(violations.Any(v => v.StartsWith("event: script-src", StringComparison.Ordinal)) && violations.Any(v => v.StartsWith("console: ", StringComparison.Ordinal))))
        {
            Assert.True(DateTime.UtcNow < deadline, "The blocked inline script was not reported: " + string.Join('\n', violations));
            await Task.Delay(50);
        }
        Assert.False(await page.EvaluateAsync<bool>("() => window.inlineScriptRan === true"));
        violations.Clear();
    }
}
