using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Authorization;
using Portal.Core.Configuration;
using Portal.Core.Sessions;
using Portal.Core.Setup;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

/// <summary>Who may administer the portal, decided from the database at the moment of asking.</summary>
public sealed class AdministratorGateTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private readonly ShiftableTimeProvider clock = new();
    private ServiceProvider services = null!;

    public Task InitializeAsync()
    {
        var collection = new ServiceCollection();
        database.Register(collection);
        collection.AddSingleton<TimeProvider>(clock);
        services = collection.AddTestAuthorization().BuildServiceProvider();
        return Task.CompletedTask;
    }

    private AdministratorGate Gate => services.GetRequiredService<AdministratorGate>();
    private SetupModeService SetupMode => services.GetRequiredService<SetupModeService>();
    private SessionService Sessions => services.GetRequiredService<SessionService>();

    [Fact]
    public async Task An_administrator_with_an_active_session_may_act()
    {
        var (_, ada) = await services.PersonAsync("Ada", isAdministrator: true);

        Assert.Null(await Gate.CheckAsync(ada));
    }

    [Fact]
    public async Task Nobody_without_a_session_may_act()
    {
        Assert.Equal(AccessRefusalReason.NotSignedIn, (await Gate.CheckAsync(Actor.Anonymous))!.Reason);
        Assert.Equal(AccessRefusalReason.SessionEnded, (await Gate.CheckAsync(new Actor(Guid.NewGuid())))!.Reason);
    }

    [Fact]
    public async Task A_person_who_is_not_an_administrator_is_refused()
    {
        var (_, grace) = await services.PersonAsync("Grace", isAdministrator: false);

        var refusal = await Gate.CheckAsync(grace);

        Assert.Equal(AccessRefusalReason.NotAdministrator, refusal!.Reason);
        Assert.StartsWith("You are no longer an administrator. Sign in again", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_for_every_page_that_holds_it()
    {
        var (_, ada) = await services.PersonAsync("Ada", isAdministrator: true);

        await Sessions.EndAsync(ada.SessionId!.Value, SessionEndReason.SignedOut);

        var refusal = await Gate.CheckAsync(ada);
        Assert.Equal(AccessRefusalReason.SignedOut, refusal!.Reason);
        Assert.Contains("You signed out (in this or another tab)", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_ends_after_its_absolute_lifetime_however_active()
    {
        var (_, ada) = await services.PersonAsync("Ada", isAdministrator: true);
        var options = new PortalSessionOptions();
        for (var elapsed = TimeSpan.Zero; elapsed <= options.AbsoluteLifetime; elapsed += options.IdleTimeout / 2)
        {
            await SeenAsync(ada);
            clock.Advance(options.IdleTimeout / 2);
        }

        var refusal = await Gate.CheckAsync(ada);

        Assert.Equal(AccessRefusalReason.SessionExpired, refusal!.Reason);
        Assert.Equal("Your session has reached its maximum lifetime. Sign in again.", refusal.Message);
    }

    [Fact]
    public async Task A_session_whose_browser_made_no_request_for_the_idle_timeout_ends_for_pages_left_open_too()
    {
        var (_, ada) = await services.PersonAsync("Ada", isAdministrator: true);
        var idle = new PortalSessionOptions().IdleTimeout;

        clock.Advance(idle - TimeSpan.FromMinutes(1));
        await SeenAsync(ada);
        clock.Advance(idle - TimeSpan.FromMinutes(1));
        Assert.Null(await Gate.CheckAsync(ada));
        clock.Advance(TimeSpan.FromMinutes(2));

        var refusal = await Gate.CheckAsync(ada);
        Assert.Equal(AccessRefusalReason.SessionExpired, refusal!.Reason);
        Assert.Equal("Your session ended because this browser made no request to the portal for 12 hours; a page left open does not count as one. Sign in again.", refusal.Message);
        Assert.Equal(SessionState.Idle, (await Sessions.CheckAsync(ada.SessionId!.Value)).State);
    }

    [Fact]
    public async Task A_request_is_recorded_at_most_once_a_minute_per_session()
    {
        var (_, ada) = await services.PersonAsync("Ada", isAdministrator: true);
        clock.Advance(TimeSpan.FromMinutes(5));
        await SeenAsync(ada);
        var first = (await Sessions.CheckAsync(ada.SessionId!.Value)).LastSeenAt;

        clock.Advance(TimeSpan.FromSeconds(30));
        await SeenAsync(ada);
        Assert.Equal(first, (await Sessions.CheckAsync(ada.SessionId.Value)).LastSeenAt);
        clock.Advance(TimeSpan.FromSeconds(31));
        await SeenAsync(ada);

        Assert.True((await Sessions.CheckAsync(ada.SessionId.Value)).LastSeenAt >= first + TimeSpan.FromSeconds(61));
    }

    private async Task SeenAsync(Actor actor)
    {
        var sessionId = actor.SessionId!.Value;
        await Sessions.SeenAsync(sessionId, await Sessions.CheckAsync(sessionId));
    }

    [Fact]
    public async Task A_setup_session_may_act_while_setup_mode_lasts_and_not_after()
    {
        var setup = await OpenSetupLinkAsync();
        Assert.Null(await Gate.CheckAsync(setup));

        var (ada, _) = await services.PersonAsync("Ada", isAdministrator: false);
        Assert.True((await SetupMode.EndWithAdministratorAsync(ada.Id)).Ended);

        var refusal = await Gate.CheckAsync(setup);
        Assert.Equal(AccessRefusalReason.SetupModeOver, refusal!.Reason);
        Assert.StartsWith("Setup Mode has ended", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_setup_session_expires_after_the_setup_session_lifetime()
    {
        var setup = await OpenSetupLinkAsync();

        clock.Advance(new SetupOptions().SessionLifetime - TimeSpan.FromMinutes(1));
        Assert.Null(await Gate.CheckAsync(setup));
        clock.Advance(TimeSpan.FromMinutes(2));

        var refusal = await Gate.CheckAsync(setup);
        Assert.Equal(AccessRefusalReason.SetupSessionExpired, refusal!.Reason);
        Assert.Contains("setup sessions last 8 hours", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_recovery_command_ends_every_earlier_setup_session_but_its_own_link_opens_a_new_one()
    {
        var earlier = await OpenSetupLinkAsync();

        var token = await SetupMode.ReenterAsync();

        Assert.Equal(AccessRefusalReason.SetupLinkReplaced, (await Gate.CheckAsync(earlier))!.Reason);
        var redemption = await SetupMode.RedeemAsync(token);
        Assert.Equal(SetupLinkOutcome.Accepted, redemption.Outcome);
        Assert.Null(await Gate.CheckAsync(new Actor(await Sessions.StartSetupSessionAsync(redemption.TokenId!.Value))));
    }

    [Fact]
    public async Task A_setup_session_the_recovery_command_ended_after_its_sign_in_checked_it_makes_nobody_administrator()
    {
        var earlier = await OpenSetupLinkAsync();
        var grace = (await services.PersonAsync("Grace", isAdministrator: false)).User.Id;

        // The command runs between the sign-in's check of the setup session and the first administrator's step.
        var token = await SetupMode.ReenterAsync();
        var end = await SetupMode.EndWithAdministratorAsync(grace, earlier);

        Assert.Equal(new SetupModeEnd(false, false), end);
        Assert.True(await SetupMode.IsActiveAsync());
        Assert.Equal(SetupLinkOutcome.Accepted, (await SetupMode.RedeemAsync(token)).Outcome);
        await using var check = database.CreateContext();
        Assert.False(await check.Users.Where(u => u.Id == grace).Select(u => u.IsAdministrator).SingleAsync());
    }

    [Fact]
    public async Task A_restart_replaces_the_unused_link_but_keeps_the_sessions_of_opened_ones()
    {
        var opened = await OpenSetupLinkAsync();
        var unused = await SetupMode.IssueTokenAsync();

        await SetupMode.IssueTokenAsync(); // what a restart does

        Assert.Null(await Gate.CheckAsync(opened));
        Assert.Equal(SetupLinkOutcome.Unknown, (await SetupMode.RedeemAsync(unused)).Outcome);
    }

    private async Task<Actor> OpenSetupLinkAsync()
    {
        var redemption = await SetupMode.RedeemAsync(await SetupMode.IssueTokenAsync());
        Assert.Equal(SetupLinkOutcome.Accepted, redemption.Outcome);
        return new Actor(await Sessions.StartSetupSessionAsync(redemption.TokenId!.Value));
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        database.Dispose();
    }
}
