using Portal.Core.Platforms;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Features.Integrations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components;

/// <summary>The Integrations page's Verify panel follows a verification running in another tab, pushed through the circuit.</summary>
public sealed class VerifyPanelTests : MudTestBase
{
    private const string PublicUrl = "https://portal.example.com";
    private static readonly Guid IntegrationId = Guid.NewGuid();
    private readonly string watchId = VerificationNotifier.NewWatchId();
    private readonly ShiftableTimeProvider clock = new();
    private readonly VerifyOptions verifyOptions = new();
    private int finished;

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(clock);
        services.AddVerifyPanel(verifyOptions);
        services.AddSingleton(Options.Create(new PortalOptions { PublicUrl = PublicUrl }));
    }

    private VerificationNotifier Notifier => Ctx.Services.GetRequiredService<VerificationNotifier>();

    private IRenderedComponent<VerifyPanel> RenderPanel(string baseUrl = "https://bitbucket.example.com/bitbucket") => Ctx.Render<VerifyPanel>(p => p
        .Add(c => c.WatchId, watchId)
        .Add(c => c.Integrations, [new IntegrationSummary(IntegrationId, "Acme Bitbucket", "bitbucket-server", baseUrl,
            "8.9.1", OAuthVersion.OAuth2, true, IntegrationVerification.NotVerified, DateTimeOffset.UnixEpoch, null)])
        .Add(c => c.OnVerificationFinished, () => finished++));

    private Guid Start(string? watch = null)
    {
        var verification = Guid.NewGuid();
        Notifier.Started(watch ?? watchId, verification, IntegrationId, clock.GetUtcNow().AddMinutes(10));
        return verification;
    }

    private static SignInOutcome Success() => new()
    {
        IntegrationId = IntegrationId,
        IntegrationName = "Acme Bitbucket",
        Purpose = AuthorizationPurpose.Verify,
        Identity = new ExternalUser(101, "ada", "ada", "Ada Lovelace", null, null),
        ServerName = "Bitbucket",
    };

    private static SignInOutcome Failure() => SignInOutcome.Failure(SignInErrorKind.IntegrationMisconfigured, SignInStep.Token,
        "Bitbucket refused the portal's client secret (invalid_client): paste the Client Secret again.", integrationName: "Acme Bitbucket");

    private static void AssertState(IRenderedComponent<VerifyPanel> cut, string state) =>
        cut.WaitForAssertion(() => Assert.Equal(state, cut.Find("[data-testid=verify-panel]").GetAttribute("data-state")), TimeSpan.FromSeconds(10));

    private static int SecondsLeft(IRenderedComponent<VerifyPanel> cut)
    {
        var parts = cut.Find("[data-testid=verify-time-left]").TextContent.Split(':');
        return int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * 60 + int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Status(IRenderedComponent<VerifyPanel> cut) => cut.Find("[role=status][data-testid=verify-status]").TextContent.Trim();

    [Fact]
    public void Before_any_verification_only_an_empty_live_region_is_there()
    {
        var cut = RenderPanel();

        AssertState(cut, "idle");
        Assert.Equal("", Status(cut));
        Assert.Empty(cut.FindAll("h2"));
        Assert.Null(cut.Find("[data-testid=verify-panel]").GetAttribute("role"));
        Assert.Equal(1, Notifier.SubscriberCount);
    }

    [Fact]
    public void Waiting_shows_the_time_left_counting_down_then_the_identity_without_a_reload()
    {
        var cut = RenderPanel();
        var verification = Start();

        AssertState(cut, "waiting");
        Assert.Equal("Waiting for Bitbucket…", Status(cut));
        Assert.Equal("Verify \"Acme Bitbucket\"", cut.Find("h2").TextContent);
        Assert.Equal("verify-panel-title", cut.Find("[data-testid=verify-panel]").GetAttribute("aria-labelledby"));
        Assert.Equal("region", cut.Find("[data-testid=verify-panel]").GetAttribute("role"));
        Assert.Equal("timer", cut.Find("[data-testid=verify-time-left]").GetAttribute("role"));
        Assert.Contains("within 2 minutes", cut.Markup, StringComparison.Ordinal);
        Assert.InRange(SecondsLeft(cut), 110, 120);
        clock.Advance(TimeSpan.FromSeconds(30));
        // The panel's clock is the real one shifted: on a busy machine real seconds pass too, so only bounds are certain.
        cut.WaitForAssertion(() => Assert.InRange(SecondsLeft(cut), 60, 90), TimeSpan.FromSeconds(10));

        Notifier.Completed(verification, Success());

        AssertState(cut, "succeeded");
        Assert.Equal("\"Acme Bitbucket\" works: Bitbucket identified you as Ada Lovelace (user name ada, id 101). It is now Verified.", Status(cut));
        Assert.Empty(cut.FindAll("[data-testid=verify-time-left]"));
        Assert.Empty(cut.FindAll("form"));
        cut.WaitForAssertion(() => Assert.Equal(1, finished));
    }

    [Fact]
    public void A_failed_callback_shows_its_message_and_offers_to_verify_again_in_a_new_tab()
    {
        var cut = RenderPanel();
        var verification = Start();
        AssertState(cut, "waiting");

        Notifier.Completed(verification, Failure());

        AssertState(cut, "failed");
        Assert.Equal("Verifying \"Acme Bitbucket\" failed at the token step: Bitbucket refused the portal's client secret (invalid_client): paste the Client Secret again.",
            Status(cut));
        AssertVerifyAgainForm(cut);
        cut.WaitForAssertion(() => Assert.Equal(1, finished));
    }

    [Fact]
    public void Verifying_new_credentials_names_them_and_verify_again_tests_them_again_not_the_current_ones()
    {
        var cut = Ctx.Render<VerifyPanel>(p => p
            .Add(c => c.WatchId, watchId)
            .Add(c => c.NewCredentials, true)
            .Add(c => c.Integrations, [new IntegrationSummary(IntegrationId, "Acme Bitbucket", "bitbucket-server", "https://bitbucket.example.com",
                "8.9.1", OAuthVersion.OAuth2, true, IntegrationVerification.Verified, DateTimeOffset.UnixEpoch, null)]));
        var verification = Start();
        AssertState(cut, "waiting");

        Notifier.Completed(verification, Failure() with { Replacement = Portal.Core.Integrations.CredentialKind.ClientSecret });

        AssertState(cut, "failed");
        Assert.Equal("Verify the new credentials of \"Acme Bitbucket\"", cut.Find("h2").TextContent.Trim());
        Assert.StartsWith("Verifying the new Client Secret of \"Acme Bitbucket\" failed at the token step", Status(cut), StringComparison.Ordinal);
        Assert.EndsWith("The current Client Secret stays in use and nothing changed: fix the cause and verify again, or discard the new one.", Status(cut), StringComparison.Ordinal);
        Assert.Equal($"/signin/verify/{IntegrationId}/new-credentials", cut.Find("form").GetAttribute("action"));
    }

    [Fact]
    public void Without_an_answer_within_the_timeout_it_explains_the_causes_and_a_late_result_still_shows()
    {
        var cut = RenderPanel();
        var verification = Start();
        AssertState(cut, "waiting");

        clock.Advance(verifyOptions.ReturnTimeout);

        AssertState(cut, "timed-out");
        Assert.Equal("Bitbucket did not send the browser back.", Status(cut));
        var causes = cut.Find("[data-testid=verify-causes]").TextContent;
        Assert.Contains("The redirect URL in Bitbucket differs from the Callback URL", causes, StringComparison.Ordinal);
        Assert.Equal($"{PublicUrl}/signin/callback/{IntegrationId:N}", cut.Find("[data-testid=verify-callback-url]").TextContent);
        Assert.Contains("Base URL setting is wrong", causes, StringComparison.Ordinal);
        Assert.Contains("https://bitbucket.example.com/bitbucket", causes, StringComparison.Ordinal);
        Assert.Contains("\"U2F & TOTP\" plugin", causes, StringComparison.Ordinal);
        Assert.Contains("Enable OAuth whitelist", causes, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=verify-time-left]"));
        Assert.Empty(cut.FindAll("[data-testid=verify-cause-http]"));
        AssertVerifyAgainForm(cut);
        Assert.Equal(0, finished);

        Notifier.Completed(verification, Success());

        AssertState(cut, "succeeded");
        Assert.Contains("Ada Lovelace", Status(cut), StringComparison.Ordinal);
    }

    [Fact]
    public void Over_http_the_explanation_names_http_first()
    {
        var cut = RenderPanel(baseUrl: "http://bitbucket.example.com");
        Start();

        clock.Advance(verifyOptions.ReturnTimeout);

        AssertState(cut, "timed-out");
        Assert.Contains("refuses sign-ins unless its base URL is https", cut.Find("[data-testid=verify-cause-http]").TextContent, StringComparison.Ordinal);
        Assert.Equal("verify-cause-http", cut.Find("[data-testid=verify-causes] li").GetAttribute("data-testid"));
    }

    [Fact]
    public void A_short_configured_timeout_is_honoured()
    {
        verifyOptions.ReturnTimeout = TimeSpan.FromMilliseconds(300);
        var cut = RenderPanel();

        Start();

        AssertState(cut, "timed-out");
    }

    [Fact]
    public void Another_page_s_verification_is_not_shown()
    {
        var cut = RenderPanel();

        var other = Start(VerificationNotifier.NewWatchId());
        Notifier.Completed(other, Success());
        Start();

        // Updates reach the panel in order: had the other page's result been taken, "finished" would have counted it.
        AssertState(cut, "waiting");
        Assert.Equal("Waiting for Bitbucket…", Status(cut));
        Assert.Equal(0, finished);
    }

    [Fact]
    public void With_two_verifications_in_flight_the_panel_follows_the_latest()
    {
        var cut = RenderPanel();
        var first = Start();
        var second = Start();

        Notifier.Completed(first, Success());
        AssertState(cut, "waiting");
        Assert.Equal(0, finished);
        Notifier.Completed(second, Failure());

        AssertState(cut, "failed");
        Assert.StartsWith("Verifying \"Acme Bitbucket\" failed at the token step", Status(cut), StringComparison.Ordinal);
        cut.WaitForAssertion(() => Assert.Equal(1, finished));
    }

    [Fact]
    public void A_verification_that_could_not_start_says_why()
    {
        var cut = RenderPanel();
        Start();

        Notifier.FailedToStart(watchId, IntegrationId, "Verifying \"Acme Bitbucket\" failed at the authorize step: Bitbucket does not know the Consumer Key.");

        AssertState(cut, "failed");
        Assert.Equal("Verifying \"Acme Bitbucket\" failed at the authorize step: Bitbucket does not know the Consumer Key.", Status(cut));
    }

    [Fact]
    public async Task A_closed_page_stops_listening()
    {
        RenderPanel();
        Assert.Equal(1, Notifier.SubscriberCount);

        await Ctx.DisposeComponentsAsync();

        Assert.Equal(0, Notifier.SubscriberCount);
    }

    [Theory]
    [InlineData(120, "2:00", "2 minutes")]
    [InlineData(3, "0:03", "3 seconds")]
    [InlineData(0.2, "0:01", "1 second")]
    [InlineData(90, "1:30", "1 minute 30 seconds")]
    public void Durations_read_naturally(double seconds, string clockText, string words)
    {
        Assert.Equal(clockText, VerifyPanel.FormatDuration(TimeSpan.FromSeconds(seconds)));
        Assert.Equal(words, VerifyPanel.DescribeDuration(TimeSpan.FromSeconds(seconds)));
    }

    private void AssertVerifyAgainForm(IRenderedComponent<VerifyPanel> cut)
    {
        var form = cut.Find("form");
        Assert.Equal($"/signin/verify/{IntegrationId}", form.GetAttribute("action"));
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("_blank", form.GetAttribute("target"));
        Assert.Equal("noopener", form.GetAttribute("rel"));
        Assert.Equal(watchId, form.QuerySelector("input[name=watch]")!.GetAttribute("value"));
        Assert.Equal("Verify again: Acme Bitbucket", form.QuerySelector("button")!.GetAttribute("aria-label"));
    }
}
