using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Core.Audit;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>The audit log page as the first administrator uses it: newest first, paged, filtered by links and by the Kind list.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AuditBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private SignInScenario scenario = null!;

    private PortalHost Host => scenario.Host;

    public async Task InitializeAsync()
    {
        scenario = await SignInScenario.StartAsync(new()
        {
            Fake = new() { SkipHttpsRequirement = true },
            PortalSettings = new Dictionary<string, string?> { ["Status:Enabled"] = "false" },
        });
        Host.Start();
        // Yesterday's failed sign-ins from another address, so the log has a second page.
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1);
        await scenario.QueryAsync(async db =>
        {
            db.AuditEntries.AddRange(Enumerable.Range(0, 30).Select(i => new AuditEntry
            {
                OccurredAt = yesterday.AddMinutes(i), Kind = AuditKind.SignInFailed, ActorKind = AuditActorKind.Anonymous, ActorName = AuditLog.AnonymousName,
                IntegrationId = scenario.IntegrationId, IntegrationName = SignInScenario.IntegrationName, ClientAddress = "192.0.2.44",
                Details = "Failed at the Authorize step: the person chose Deny on Bitbucket's page.",
            }));
            return await db.SaveChangesAsync();
        });
    }

    public async Task DisposeAsync() => await scenario.DisposeAsync();

    [Fact]
    public async Task The_first_administrator_reads_the_setup_in_the_log_pages_through_it_and_narrows_it_by_integration_and_kind()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(Host.SetupLink);
        await page.GotoAsync($"{Host.BaseUrl}/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Sign in with {SignInScenario.IntegrationName}" }).ClickAsync();
        await page.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);
        await page.WaitForURLAsync($"{Host.BaseUrl}/");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Audit log", Exact = true }).ClickAsync();
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit log", Level = 1 })).ToBeVisibleAsync();
        var rows = page.GetByTestId("audit-table").Locator("tbody tr");
        await Assertions.Expect(page.GetByTestId("audit-range")).ToHaveTextAsync("Entries 1–25 of 34, newest first.");
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("Sign-in succeeded");
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("Ada Lovelace");
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("127.0.0.1");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("Setup Mode ended");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("Setup session");
        await Assertions.Expect(rows.Nth(2)).ToContainTextAsync("Integration created");
        await Assertions.Expect(rows.Nth(3)).ToContainTextAsync("Setup Mode started");
        await page.ScreenshotToAsync("85-audit-log.png");
        await page.AssertNoAccessibilityViolationsAsync("administrator, audit log, first page");

        await page.GetByRole(AriaRole.Link, new() { Name = "Older entries" }).ClickAsync();
        await page.WaitForURLAsync($"{Host.BaseUrl}/audit?page=2");
        await Assertions.Expect(page.GetByTestId("audit-range")).ToHaveTextAsync("Entries 26–34 of 34, newest first.");
        await Assertions.Expect(page.GetByTestId("audit-page")).ToHaveTextAsync("Page 2 of 2");
        await page.AssertNoAccessibilityViolationsAsync("administrator, audit log, second page");

        // A name in a row narrows the list to it; the Kind list then keeps that integration.
        await rows.Nth(0).GetByRole(AriaRole.Link, new() { Name = SignInScenario.IntegrationName }).ClickAsync();
        await page.WaitForURLAsync($"{Host.BaseUrl}/audit?integration={scenario.IntegrationId}");
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("audit-range")).ToHaveTextAsync("Entries 1–25 of 32, newest first.");
        var kind = page.GetByRole(AriaRole.Combobox, new() { Name = "Kind" });
        await kind.ClickAsync();
        await page.GetByRole(AriaRole.Listbox).GetByRole(AriaRole.Option, new() { Name = "Sign-in succeeded" }).ClickAsync();
        await page.WaitForURLAsync($"{Host.BaseUrl}/audit?kind=SignInSucceeded&integration={scenario.IntegrationId}");
        await Assertions.Expect(page.GetByTestId("audit-range")).ToHaveTextAsync("Entries 1–1 of 1, newest first.");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Integration" })).ToHaveValueAsync(SignInScenario.IntegrationName);
        await page.ScreenshotToAsync("86-audit-log-filtered.png");
        await page.AssertNoAccessibilityViolationsAsync("administrator, audit log, filtered by integration and kind");

        await page.GetByTestId("clear-filters").ClickAsync();
        await page.WaitForURLAsync($"{Host.BaseUrl}/audit");
        await Assertions.Expect(page.GetByTestId("audit-range")).ToHaveTextAsync("Entries 1–25 of 34, newest first.");
        await page.Context.CloseAsync();
    }
}
