using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Status;
using Portal.Features.Status;
using Portal.Tests.Core.Status;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Status;

/// <summary>The dashboard over the real board, status service and a real SQLite database.</summary>
public sealed class StatusDashboardTests : MudTestBase
{
    private readonly TestDatabase database = new();
    private readonly List<BitbucketFake> fakes = [];
    private readonly UnreadableTableInterceptor unreadableIntegrations = new("Integrations");

    protected override void ConfigureServices(IServiceCollection services)
    {
        database.Register(services, interceptors: unreadableIntegrations);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Status:ProbeTimeout"] = "00:00:05",
        }).Build());
        services.AddBitbucketServerPlatform();
        services.AddIntegrationStatus();
        services.AddTestAuthorization();
    }

    public override async Task InitializeAsync() => Auth.SignInAs(await Ctx.Services.AdministratorAsync());

    private StatusBoard Board => Ctx.Services.GetRequiredService<StatusBoard>();

    private async Task<Guid> AddIntegrationAsync(string name, string baseUrl = "https://bitbucket.example.com", IntegrationVerification verification = IntegrationVerification.Verified, bool enabled = true)
    {
        await using var db = database.CreateContext();
        var integration = new Integration
        {
            Platform = BitbucketServerPlatform.KindOf.Key,
            Id = Guid.NewGuid(), Name = name, BaseUrl = baseUrl, ServerVersion = "8.9.1", ClientId = "client",
            Verification = verification, Enabled = enabled, CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Integrations.Add(integration);
        await db.SaveChangesAsync();
        return integration.Id;
    }

    private static string Badge(IRenderedComponent<StatusDashboard> cut, string name) =>
        cut.Find($"[data-testid=status-card][data-integration='{name}'] [data-testid=status-badge]").TextContent.Trim();

    [Fact]
    public async Task A_database_that_cannot_be_read_when_the_dashboard_opens_is_named_and_not_taken_for_no_integrations()
    {
        await AddIntegrationAsync("Acme Bitbucket");
        unreadableIntegrations.Failing = true;

        var cut = Ctx.Render<StatusDashboard>();

        cut.WaitForAssertion(() => Assert.Contains("The portal could not read the stored status from its database: The portal could not read or write its database file",
            cut.Find("[data-testid=status-load-failed]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=no-integrations]"));

        // The database comes back and the board fills (the next pass, or a change): the page catches up and the failure goes.
        unreadableIntegrations.Failing = false;
        await Ctx.Services.GetRequiredService<IntegrationStatusService>().EnsureBoardAsync();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=status-card]")), TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=status-load-failed]")));
    }

    [Theory]
    [InlineData(IntegrationStatus.Connected, "Connected")]
    [InlineData(IntegrationStatus.NotVerified, "Not verified")]
    [InlineData(IntegrationStatus.Unreachable, "Unreachable")]
    [InlineData(IntegrationStatus.TlsError, "TLS error")]
    [InlineData(IntegrationStatus.VersionUnsupported, "Version unsupported")]
    [InlineData(IntegrationStatus.Degraded, "Degraded")]
    [InlineData(IntegrationStatus.Disabled, "Disabled")]
    [InlineData(IntegrationStatus.NotChecked, "Not checked yet")]
    public void Each_status_renders_its_badge_text_and_the_reason(IntegrationStatus status, string text)
    {
        var (integration, report, signIns) = StatusTestData.For(status);
        var verdict = IntegrationStatusRules.Decide(integration, report, signIns, StatusTestData.Now);
        Assert.Equal(status, verdict.Status);
        var snapshot = new IntegrationStatusSnapshot(integration, verdict.Status, verdict.Summary, report, signIns,
            Enumerable.Range(0, 24).Select(i => new AvailabilityHour(StatusTestData.Now.AddHours(i - 23), 0, 0, null)).ToList());

        var card = Ctx.Render<IntegrationStatusCard>(p => p.Add(c => c.Snapshot, snapshot));

        Assert.Equal(text, card.Find("[data-testid=status-badge]").TextContent.Trim());
        Assert.Equal(verdict.Summary, card.Find("[data-testid=status-summary]").TextContent.Trim());
        Assert.Equal(24, card.FindAll("[data-testid=availability-strip] li").Count);
        Assert.Equal(status != IntegrationStatus.Disabled, card.FindAll("button[data-testid=check-now]").Count == 1);
    }

    [Fact]
    public async Task A_large_fleet_is_shown_a_page_of_cards_at_a_time_by_name_with_the_counts_for_all_of_it()
    {
        var count = StatusDashboard.PageSize + 2;
        for (var i = 0; i < count; i++)
        {
            await AddIntegrationAsync($"Bitbucket {i:000}", enabled: false);
        }

        var cut = Ctx.Render<StatusDashboard>();

        cut.WaitForAssertion(() => Assert.Equal(StatusDashboard.PageSize, cut.FindAll("[data-testid=status-card]").Count));
        Assert.Equal("Bitbucket 000", cut.FindAll("[data-testid=status-card]")[0].GetAttribute("data-integration"));
        Assert.Contains($"Showing 1–{StatusDashboard.PageSize} of {count} integrations", cut.Find("[data-testid=status-pages]").TextContent, StringComparison.Ordinal);
        Assert.Contains($"{count} Disabled", cut.Find("[data-testid=status-counts]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("nav[aria-label='Pages of integrations']"));

        cut.Find("nav[aria-label='Pages of integrations'] button[aria-label='Page 2']").Click();

        cut.WaitForAssertion(() => Assert.Equal(
            new[] { $"Bitbucket {count - 2:000}", $"Bitbucket {count - 1:000}" },
            cut.FindAll("[data-testid=status-card]").Select(c => c.GetAttribute("data-integration") ?? "")));
        Assert.Contains($"Showing {StatusDashboard.PageSize + 1}–{count} of {count}", cut.Find("[data-testid=status-pages]").TextContent, StringComparison.Ordinal);
        // The range is a live region, so another page is heard as well as seen.
        Assert.Equal("status", cut.Find("[data-testid=status-range]").GetAttribute("role"));
    }

    [Fact]
    public async Task A_small_fleet_is_one_page_without_page_controls()
    {
        await AddIntegrationAsync("Acme Bitbucket");

        var cut = Ctx.Render<StatusDashboard>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=status-card]")));
        Assert.Empty(cut.FindAll("[data-testid=status-pages]"));
    }

    [Fact]
    public void The_last_sign_in_failure_shows_the_portal_s_reason_and_the_known_OAuth_error_code()
    {
        var integration = StatusTestData.Integration(name: "Acme Bitbucket");
        var signIns = new SignInSummary(null, 1, DateTimeOffset.UtcNow.AddMinutes(-5),
            "Bitbucket rejected the client secret: copy the Client ID and Client Secret again from the application link and update the integration.", "invalid_client");
        var snapshot = new IntegrationStatusSnapshot(integration, IntegrationStatus.Degraded, "failing", StatusTestData.Healthy(DateTimeOffset.UtcNow), signIns, []);

        var card = Ctx.Render<IntegrationStatusCard>(p => p.Add(c => c.Snapshot, snapshot));

        Assert.Equal(
            "Last reason: Bitbucket rejected the client secret: copy the Client ID and Client Secret again from the application link and update the integration. (OAuth error invalid_client)",
            card.Find("[data-testid=last-failure-reason]").TextContent.Trim());
    }

    [Fact]
    public void A_card_shows_versions_latency_certificate_and_sign_ins()
    {
        var integration = StatusTestData.Integration(name: "Acme Bitbucket");
        var report = StatusTestData.Healthy(DateTimeOffset.UtcNow, latency: 42, certificateExpiresAt: DateTimeOffset.UtcNow.AddDays(45).AddHours(1));
        var signIns = new SignInSummary(new DateTimeOffset(2026, 11, 27, 9, 15, 0, TimeSpan.Zero), 2, DateTimeOffset.UtcNow.AddHours(-3), "Bitbucket refused the client secret.");
        var snapshot = new IntegrationStatusSnapshot(integration, IntegrationStatus.Connected, "fine", report, signIns,
            [.. Enumerable.Range(0, 23).Select(i => new AvailabilityHour(DateTimeOffset.UtcNow.AddHours(i - 23), 0, 0, null)),
             new AvailabilityHour(new DateTimeOffset(2026, 11, 28, 14, 0, 0, TimeSpan.Zero), 60, 58, IntegrationStatus.Unreachable)]);

        var card = Ctx.Render<IntegrationStatusCard>(p => p.Add(c => c.Snapshot, snapshot));

        Assert.Equal("8.9.1", card.Find("[data-testid=fact-version]").TextContent.Trim());
        Assert.Equal("42 ms", card.Find("[data-testid=fact-latency]").TextContent.Trim());
        Assert.StartsWith("in 45 days (", card.Find("[data-testid=fact-certificate]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal("2026-11-27 09:15:00 UTC", card.Find("[data-testid=fact-last-sign-in]").TextContent.Trim());
        Assert.Contains("Last reason: Bitbucket refused the client secret.", card.Find("[data-testid=fact-sign-in-failures]").TextContent, StringComparison.Ordinal);
        Assert.StartsWith("2", card.Find("[data-testid=fact-sign-in-failures]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal("96.7% of 60 checks", card.Find("[data-testid=fact-availability]").TextContent.Trim());
        var lastHour = card.FindAll("[data-testid=availability-strip] li")[^1];
        Assert.Equal("14:00–15:00 UTC: 60 checks, 2 not usable; worst: Unreachable", lastHour.GetAttribute("title"));
        Assert.Contains("status-cell-error", lastHour.ClassList);
        Assert.Equal("Check now: Acme Bitbucket", card.Find("button[data-testid=check-now]").GetAttribute("aria-label"));
    }

    [Fact]
    public void Names_summaries_and_step_messages_are_shown_as_text_never_as_markup()
    {
        var integration = StatusTestData.Integration(name: "Acme <script>alert(1)</script>", baseUrl: "https://bitbucket.example.com/?a=1&b=\"2\"");
        var report = StatusTestData.Failed(ProbeProblem.Unreachable, ProbeStep.TcpConnect, "Nothing accepts connections at <img src=x onerror=alert(1)>.");
        var snapshot = new IntegrationStatusSnapshot(integration, IntegrationStatus.Unreachable, "Down & out <b>now</b>", report,
            new SignInSummary(null, 1, DateTimeOffset.UtcNow, "Bitbucket said <i>no</i>", "invalid_client"), []);

        var card = Ctx.Render<IntegrationStatusCard>(p => p.Add(c => c.Snapshot, snapshot));
        card.Find("details[data-testid=steps-panel]").TriggerEvent("ontoggle", EventArgs.Empty);

        Assert.Equal("Acme <script>alert(1)</script>", card.Find("h2").TextContent);
        Assert.Equal("https://bitbucket.example.com/?a=1&b=\"2\"", card.Find(".status-url").TextContent);
        Assert.Equal("Down & out <b>now</b>", card.Find("[data-testid=status-summary]").TextContent);
        Assert.Equal("Last reason: Bitbucket said <i>no</i> (OAuth error invalid_client)", card.Find("[data-testid=last-failure-reason]").TextContent);
        Assert.Contains("Nothing accepts connections at <img src=x onerror=alert(1)>.", card.Find("[data-step=TcpConnect]").TextContent, StringComparison.Ordinal);
        Assert.Empty(card.FindAll("script, b, i, img"));
        Assert.Equal(card.Find("h2").Id, card.Find("[data-testid=status-card]").GetAttribute("aria-labelledby"));
    }

    [Fact]
    public void The_steps_of_the_last_check_are_rendered_from_the_first_time_their_disclosure_opens()
    {
        var report = StatusTestData.Failed(ProbeProblem.Tls, ProbeStep.Tls, "The certificate is not trusted.");
        var snapshot = new IntegrationStatusSnapshot(StatusTestData.Integration(), IntegrationStatus.TlsError, "untrusted", report, SignInSummary.None, []);
        var card = Ctx.Render<IntegrationStatusCard>(p => p.Add(c => c.Snapshot, snapshot));
        var disclosure = card.Find("details[data-testid=steps-panel]");
        Assert.Equal($"Steps of the last check ({StatusFormat.Time(report.CheckedAt)})", disclosure.QuerySelector("summary")!.TextContent);
        Assert.False(disclosure.HasAttribute("open"));
        Assert.Empty(card.FindAll("[data-testid=step]"));

        disclosure.TriggerEvent("ontoggle", EventArgs.Empty);

        Assert.Equal(["Dns", "TcpConnect", "Tls", "Server", "OAuthProvider"], card.FindAll("[data-testid=step]").Select(s => s.GetAttribute("data-step")));
        Assert.Equal("Failed", card.Find("[data-step=Tls]").GetAttribute("data-outcome"));
        Assert.Contains("Hint: Try the hint.", card.Find("[data-step=Tls]").TextContent, StringComparison.Ordinal);

        // Closing it toggles again: the steps stay rendered (the closed disclosure hides them) for when it opens again.
        card.Find("details[data-testid=steps-panel]").TriggerEvent("ontoggle", EventArgs.Empty);
        Assert.Equal(5, card.FindAll("[data-testid=step]").Count);
    }

    [Fact]
    public void A_snapshot_s_markup_is_made_once_and_its_certificate_expiry_still_counts_the_days_from_now()
    {
        var now = StatusTestData.Now;
        var report = StatusTestData.Healthy(now, certificateExpiresAt: now.AddDays(10).AddHours(1));
        var snapshot = new IntegrationStatusSnapshot(StatusTestData.Integration(), IntegrationStatus.Connected, "fine", report, SignInSummary.None, []);

        var first = StatusCardMarkup.Of(snapshot, now).Facts.Value;
        var sameDay = StatusCardMarkup.Of(snapshot, now.AddMinutes(30)).Facts.Value;
        var dayLater = StatusCardMarkup.Of(snapshot, now.AddDays(1)).Facts.Value;

        Assert.Same(first, sameDay);
        Assert.Contains("in 10 days", first, StringComparison.Ordinal);
        Assert.Contains("in 9 days", dayLater, StringComparison.Ordinal);
        Assert.Same(StatusCardMarkup.StepsOf(report), StatusCardMarkup.StepsOf(report));
    }

    [Fact]
    public async Task A_result_published_to_the_board_re_renders_the_open_dashboard()
    {
        var id = await AddIntegrationAsync("Acme Bitbucket");
        var cut = Ctx.Render<StatusDashboard>();
        cut.WaitForAssertion(() => Assert.Equal("Not checked yet", Badge(cut, "Acme Bitbucket")));
        var page = cut.Instance;
        Assert.Equal(1, Board.SubscriberCount);

        Board.PublishReport(id, StatusTestData.Healthy(DateTimeOffset.UtcNow));
        cut.WaitForAssertion(() => Assert.Equal("Connected", Badge(cut, "Acme Bitbucket")));

        Board.PublishReport(id, StatusTestData.Failed(ProbeProblem.Unreachable, ProbeStep.TcpConnect, "Nothing accepts connections at bitbucket.example.com:443.", DateTimeOffset.UtcNow));
        cut.WaitForAssertion(() => Assert.Equal("Unreachable", Badge(cut, "Acme Bitbucket")));
        Assert.Equal("Nothing accepts connections at bitbucket.example.com:443.", cut.Find("[data-testid=status-summary]").TextContent.Trim());
        Assert.Same(page, cut.Instance);
    }

    [Fact]
    public async Task A_sign_in_outcome_published_to_the_board_re_renders_the_open_dashboard()
    {
        var id = await AddIntegrationAsync("Acme Bitbucket", verification: IntegrationVerification.NotVerified);
        var cut = Ctx.Render<StatusDashboard>();
        cut.WaitForElement("[data-testid=status-card]");
        Board.PublishReport(id, StatusTestData.Healthy(DateTimeOffset.UtcNow));
        cut.WaitForAssertion(() => Assert.Equal("Not verified", Badge(cut, "Acme Bitbucket")));

        var info = Board.Find(id)!.Integration with { Verification = IntegrationVerification.Verified, VerifiedAt = DateTimeOffset.UtcNow };
        Board.PublishSignIns(info, new SignInSummary(DateTimeOffset.UtcNow, 0, null, null));

        cut.WaitForAssertion(() => Assert.Equal("Connected", Badge(cut, "Acme Bitbucket")));
        Assert.NotEqual("never", cut.Find("[data-testid=fact-last-sign-in]").TextContent.Trim());
    }

    [Fact]
    public async Task Closing_the_dashboard_unsubscribes_from_the_board()
    {
        await AddIntegrationAsync("Acme Bitbucket");
        var cut = Ctx.Render<StatusDashboard>();
        cut.WaitForElement("[data-testid=status-card]");
        Assert.Equal(1, Board.SubscriberCount);

        cut.Instance.Dispose();

        Assert.Equal(0, Board.SubscriberCount);
    }

    [Fact]
    public async Task Without_integrations_the_dashboard_says_how_to_add_one()
    {
        var cut = Ctx.Render<StatusDashboard>();

        cut.WaitForElement("[data-testid=no-integrations]");
        Assert.Contains("Add Integration", cut.Find("[data-testid=no-integrations]").TextContent, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Check_now_runs_the_chain_for_one_integration_and_shows_each_step()
    {
        var fake = await BitbucketFake.StartAsync();
        fakes.Add(fake);
        await AddIntegrationAsync("Acme Bitbucket", fake.BaseUrl);
        var other = await BitbucketFake.StartAsync();
        fakes.Add(other);
        await AddIntegrationAsync("Other Bitbucket", other.BaseUrl);
        var cut = Ctx.Render<StatusDashboard>();
        cut.WaitForElement("[data-testid=status-card]");

        cut.Find("[data-testid=status-card][data-integration='Acme Bitbucket'] button[data-testid=check-now]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Connected", Badge(cut, "Acme Bitbucket")), TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll("[data-testid=status-card][data-integration='Acme Bitbucket'] [data-testid=step]").Count));
        // The steps are a native disclosure, which the check opens; the other card has no steps to show.
        Assert.True(cut.Find("[data-testid=status-card][data-integration='Acme Bitbucket'] details[data-testid=steps-panel]").HasAttribute("open"));
        Assert.Empty(cut.FindAll("[data-testid=status-card][data-integration='Other Bitbucket'] [data-testid=steps-panel]"));
        // Screen readers hear the outcome from the page's one live region.
        var announcement = cut.Find("[data-testid=status-announcement]");
        Assert.Equal("status", announcement.GetAttribute("role"));
        Assert.StartsWith("Acme Bitbucket: Connected. ", announcement.TextContent, StringComparison.Ordinal);
        var steps = cut.FindAll("[data-testid=status-card][data-integration='Acme Bitbucket'] [data-testid=step]");
        Assert.Equal(["Dns", "TcpConnect", "Tls", "Server", "OAuthProvider"], steps.Select(s => s.GetAttribute("data-step")));
        Assert.Contains("Server", steps[3].TextContent, StringComparison.Ordinal);
        Assert.Contains("Passed", steps[3].TextContent, StringComparison.Ordinal);
        Assert.Contains("Bitbucket 8.9.1 answered", steps[3].TextContent, StringComparison.Ordinal);
        Assert.Equal(1, fake.ApplicationPropertiesRequests);
        Assert.Equal(0, other.ApplicationPropertiesRequests);
        Assert.Equal("Not checked yet", Badge(cut, "Other Bitbucket"));
        await using var db = database.CreateContext();
        Assert.Single(db.ProbeResults);
    }

    [Fact]
    public async Task Check_now_is_marked_busy_while_it_runs_not_disabled_and_a_second_press_joins_the_check_in_flight()
    {
        var fake = await BitbucketFake.StartAsync();
        fakes.Add(fake);
        fake.Mode = FakeMode.Slow;
        fake.SlowDelay = TimeSpan.FromSeconds(2);
        await AddIntegrationAsync("Acme Bitbucket", fake.BaseUrl);
        var cut = Ctx.Render<StatusDashboard>();
        cut.WaitForElement("[data-testid=status-card]");

        cut.Find("button[data-testid=check-now]").Click();
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("button[data-testid=check-now]").GetAttribute("aria-disabled")));
        // Not disabled, so that the keyboard focus stays on it.
        Assert.False(cut.Find("button[data-testid=check-now]").HasAttribute("disabled"));
        cut.Find("button[data-testid=check-now]").Click();

        cut.WaitForAssertion(() => Assert.Null(cut.Find("button[data-testid=check-now]").GetAttribute("aria-disabled")), TimeSpan.FromSeconds(20));
        Assert.Single(fake.UserAgents, r => r.Path.EndsWith("/application-properties", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_now_on_a_stopped_bitbucket_shows_the_failed_step_and_its_fix()
    {
        var fake = await BitbucketFake.StartAsync();
        fakes.Add(fake);
        await AddIntegrationAsync("Acme Bitbucket", fake.BaseUrl);
        await fake.StopAsync();
        var cut = Ctx.Render<StatusDashboard>();
        cut.WaitForElement("[data-testid=status-card]");

        cut.Find("button[data-testid=check-now]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Unreachable", Badge(cut, "Acme Bitbucket")), TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=step][data-outcome=Failed]")));
        var failed = cut.Find("[data-testid=step][data-outcome=Failed]");
        Assert.Equal("TcpConnect", failed.GetAttribute("data-step"));
        Assert.Contains("Nothing accepts connections", failed.TextContent, StringComparison.Ordinal);
        Assert.Contains("Hint:", failed.TextContent, StringComparison.Ordinal);
        Assert.Equal(3, cut.FindAll("[data-testid=step][data-outcome=Skipped]").Count);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var fake in fakes)
        {
            await fake.DisposeAsync();
        }
        database.Dispose();
    }
}
