using Portal.Core.Platforms.BitbucketServer;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using Portal.Core.Accounts;
using Portal.Core.Integrations;
using Portal.Core.Status;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class StatusDashboardBrowserTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly TestDatabase database = new();
    private readonly List<BitbucketFake> fakes = [];
    private readonly List<IPage> pages = [];
    private PortalHost host = null!;
    private BitbucketFake acme = null!;

    public async Task InitializeAsync()
    {
        acme = await StartFakeAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket" });
        var other = await StartFakeAsync(new BitbucketFakeOptions());
        var old = await StartFakeAsync(new BitbucketFakeOptions { Version = "7.17.0" });
        var secure = await StartFakeAsync(new BitbucketFakeOptions { Https = true });
        var now = DateTimeOffset.UtcNow;
        await using (var db = database.CreateContext())
        {
            var acmeId = Add(db, "Acme Bitbucket", acme.BaseUrl, verified: true);
            var buildId = Add(db, "Build Bitbucket", other.BaseUrl, verified: true);
            Add(db, "Docs Bitbucket", other.BaseUrl, verified: false);
            Add(db, "Legacy Bitbucket", other.BaseUrl, verified: true, enabled: false);
            Add(db, "Old Bitbucket", old.BaseUrl, verified: true);
            Add(db, "Secure Bitbucket", secure.BaseUrl, verified: true);
            db.SignInEvents.Add(new SignInEvent
            {
                IntegrationId = buildId, OccurredAt = now.AddMinutes(-20), Succeeded = false, FailedStep = SignInStep.Token,
                FailureReason = "Bitbucket rejected the client secret: copy the Client ID and Client Secret again from the application link and update the integration.",
            });
            // A day of history, with an outage four hours ago, so the strip has something to show.
            for (var hour = 23; hour >= 1; hour--)
            {
                var status = hour is 4 ? IntegrationStatus.Unreachable : IntegrationStatus.Connected;
                db.ProbeResults.Add(new ProbeResult
                {
                    IntegrationId = acmeId, CheckedAt = now.AddHours(-hour), Status = status,
                    Problem = status == IntegrationStatus.Connected ? ProbeProblem.None : ProbeProblem.Unreachable,
                    Summary = "history", ServerVersion = "8.9.1", LatencyMilliseconds = 12,
                });
            }
            await db.SaveChangesAsync();
        }
        host = new PortalHost(database.Path, new Dictionary<string, string?>
        {
            ["Status:ProbeInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture),
            ["Status:ProbeTimeout"] = "00:00:03",
        });
    }

    private static Guid Add(Portal.Core.Persistence.PortalDbContext db, string name, string baseUrl, bool verified, bool enabled = true)
    {
        var integration = new Integration
        {
            Platform = BitbucketServerPlatform.KindOf.Key,
            Id = Guid.NewGuid(), Name = name, BaseUrl = baseUrl, ServerVersion = "8.9.1", ClientId = "0123456789abcdef",
            Enabled = enabled, Verification = verified ? IntegrationVerification.Verified : IntegrationVerification.NotVerified,
            VerifiedAt = verified ? DateTimeOffset.UtcNow.AddDays(-2) : null, CreatedAt = DateTimeOffset.UtcNow.AddDays(-3),
        };
        db.Integrations.Add(integration);
        return integration.Id;
    }

    private async Task<BitbucketFake> StartFakeAsync(BitbucketFakeOptions options)
    {
        var fake = await BitbucketFake.StartAsync(options);
        fakes.Add(fake);
        return fake;
    }

    /// <summary>A page whose browser context is closed before the host stops, so no open circuit holds up the shutdown.</summary>
    private async Task<IPage> NewPageAsync()
    {
        var page = await browser.NewPageAsync();
        pages.Add(page);
        return page;
    }

    private static ILocator Card(IPage page, string name) => page.Locator($"[data-testid=status-card][data-integration='{name}']");

    [Fact]
    public async Task Stopping_bitbucket_turns_its_card_unreachable_within_an_interval_and_starting_it_turns_it_back_without_a_reload()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Status" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/status");
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Integration status", Level = 1 })).ToBeVisibleAsync();

        var badge = Card(page, "Acme Bitbucket").GetByTestId("status-badge");
        await Assertions.Expect(badge).ToHaveTextAsync("Connected", new() { Timeout = 15_000 });
        await Assertions.Expect(Card(page, "Build Bitbucket").GetByTestId("status-badge")).ToHaveTextAsync("Degraded");
        await Assertions.Expect(Card(page, "Docs Bitbucket").GetByTestId("status-badge")).ToHaveTextAsync("Not verified");
        await Assertions.Expect(Card(page, "Legacy Bitbucket").GetByTestId("status-badge")).ToHaveTextAsync("Disabled");
        await Assertions.Expect(Card(page, "Old Bitbucket").GetByTestId("status-badge")).ToHaveTextAsync("Version unsupported");
        await Assertions.Expect(Card(page, "Secure Bitbucket").GetByTestId("status-badge")).ToHaveTextAsync("TLS error");
        await Assertions.Expect(Card(page, "Build Bitbucket").GetByTestId("fact-sign-in-failures")).ToContainTextAsync("Bitbucket rejected the client secret");
        await page.EvaluateAsync("window.portalStatusMarker = 'still the same page'");
        await page.ScreenshotToAsync("20-status-dashboard.png");
        await page.AssertNoAccessibilityViolationsAsync("Status, cards Connected, Degraded, Not verified, Disabled, Version unsupported and TLS error");

        var watch = Stopwatch.StartNew();
        await acme.StopAsync();
        await Assertions.Expect(badge).ToHaveTextAsync("Unreachable", new() { Timeout = (float)(Interval + TimeSpan.FromSeconds(2)).TotalMilliseconds });
        output.WriteLine($"Unreachable shown {watch.ElapsedMilliseconds} ms after the fake stopped (interval {Interval.TotalSeconds} s).");
        await Assertions.Expect(Card(page, "Acme Bitbucket").GetByTestId("status-summary")).ToContainTextAsync($"Nothing accepts connections at 127.0.0.1:{acme.Port}");
        await Card(page, "Acme Bitbucket").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("21-status-unreachable.png");
        await page.AssertNoAccessibilityViolationsAsync("Status, a card Unreachable");

        watch.Restart();
        await acme.StartAgainAsync();
        await Assertions.Expect(badge).ToHaveTextAsync("Connected", new() { Timeout = (float)(Interval + TimeSpan.FromSeconds(2)).TotalMilliseconds });
        output.WriteLine($"Connected shown {watch.ElapsedMilliseconds} ms after the fake started again.");
        Assert.Equal("still the same page", await page.EvaluateAsync<string>("window.portalStatusMarker"));
    }

    [Fact]
    public async Task Check_now_shows_each_step_with_its_result_and_fix()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();
        await page.GotoAsync($"{host.BaseUrl}/status");
        await page.WaitForInteractiveAsync();
        var card = Card(page, "Secure Bitbucket");

        await card.GetByRole(AriaRole.Button, new() { Name = "Check now: Secure Bitbucket" }).ClickAsync();

        var steps = card.GetByTestId("steps");
        await Assertions.Expect(steps).ToBeVisibleAsync();
        await Assertions.Expect(steps.Locator("[data-step=TcpConnect]")).ToContainTextAsync("Passed");
        await Assertions.Expect(steps.Locator("[data-step=Tls]")).ToContainTextAsync("Failed");
        await Assertions.Expect(steps.Locator("[data-step=Tls]")).ToContainTextAsync("set Servers:TrustedCaFile to a PEM file");
        await Assertions.Expect(steps.Locator("[data-step=Server]")).ToContainTextAsync("Not run, because the TLS check failed.");
        await Assertions.Expect(card.GetByTestId("status-badge")).ToHaveTextAsync("TLS error");
        // The button is only marked busy while the check runs, never disabled: the keyboard focus stays on it.
        await Assertions.Expect(card.GetByRole(AriaRole.Button, new() { Name = "Check now: Secure Bitbucket" })).ToBeFocusedAsync();
        await card.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("22-status-check-now.png");
        await page.AssertNoAccessibilityViolationsAsync("Status, the steps of a check");
    }

    [Fact]
    public async Task The_steps_of_the_last_check_open_from_the_keyboard_and_stay_open_while_new_results_arrive()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();
        await page.GotoAsync($"{host.BaseUrl}/status");
        await page.WaitForInteractiveAsync();
        var card = Card(page, "Acme Bitbucket");
        var disclosure = card.Locator("summary", new() { HasText = "Steps of the last check" });
        await Assertions.Expect(disclosure).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var steps = card.GetByTestId("steps");
        await Assertions.Expect(steps).ToBeHiddenAsync();

        await disclosure.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(steps).ToBeVisibleAsync();
        await Assertions.Expect(steps.Locator("[data-step=Server]")).ToContainTextAsync("Passed");
        // The next interval's check replaces the card's facts and steps, not the open disclosure.
        var lastCheck = await card.GetByTestId("fact-last-check").InnerTextAsync();
        await Assertions.Expect(card.GetByTestId("fact-last-check")).Not.ToHaveTextAsync(lastCheck, new() { Timeout = (float)(3 * Interval).TotalMilliseconds });
        var newLastCheck = await card.GetByTestId("fact-last-check").InnerTextAsync();
        await Assertions.Expect(disclosure).ToContainTextAsync(newLastCheck);
        await Assertions.Expect(steps).ToBeVisibleAsync();
        await page.AssertNoAccessibilityViolationsAsync("Status, the steps of the last check opened from the keyboard");

        // The summary kept the focus through the update, so the same key closes the steps again.
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(steps).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_fleet_larger_than_a_page_is_shown_a_page_at_a_time_with_labelled_page_controls()
    {
        await using (var db = database.CreateContext())
        {
            for (var i = 0; i < StatusDashboardPageSize; i++)
            {
                Add(db, $"Team {i:00} Bitbucket", "https://bitbucket.example.com", verified: true, enabled: false);
            }
            await db.SaveChangesAsync();
        }
        var total = StatusDashboardPageSize + 6;
        var page = await NewPageAsync();
        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();
        await page.GotoAsync($"{host.BaseUrl}/status");
        await page.WaitForInteractiveAsync();

        var pages = page.GetByRole(AriaRole.Navigation, new() { Name = "Pages of integrations" });
        await Assertions.Expect(page.GetByTestId("status-pages")).ToContainTextAsync($"Showing 1–{StatusDashboardPageSize} of {total} integrations");
        await Assertions.Expect(page.GetByTestId("status-card")).ToHaveCountAsync(StatusDashboardPageSize);
        await Assertions.Expect(Card(page, "Acme Bitbucket")).ToBeVisibleAsync();
        // The top of the page (counts, page controls, first cards): the whole page is 48 cards long.
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new() { Path = TestPaths.ScreenshotPath("97-status-pages.png") });
        await page.AssertNoAccessibilityViolationsAsync("Status, a fleet of more than one page");

        await pages.GetByRole(AriaRole.Button, new() { Name = "Page 2" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("status-pages")).ToContainTextAsync($"Showing {StatusDashboardPageSize + 1}–{total} of {total}");
        await Assertions.Expect(page.GetByTestId("status-card")).ToHaveCountAsync(total - StatusDashboardPageSize);
        await Assertions.Expect(Card(page, "Team 47 Bitbucket")).ToBeVisibleAsync();
        await Assertions.Expect(Card(page, "Acme Bitbucket")).ToHaveCountAsync(0);
    }

    private const int StatusDashboardPageSize = Portal.Features.Status.StatusDashboard.PageSize;

    public async Task DisposeAsync()
    {
        foreach (var page in pages)
        {
            await page.Context.CloseAsync();
        }
        await host.DisposeAsync();
        foreach (var fake in fakes)
        {
            await fake.DisposeAsync();
        }
        database.Dispose();
    }
}
