using Portal.Core.Platforms.BitbucketServer;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.Sessions;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>Deleting and disabling integrations on a running portal: sessions end at once, and the administrators' way in is protected.</summary>
public sealed class IntegrationManagementHostTests
{
    private static async Task<HttpStatusCode> StatusOfAsync(ScenarioBrowser browser, string path) =>
        (await browser.Http.GetAsync(new Uri(path, UriKind.Relative))).StatusCode;

    private static async Task<Actor> ActiveSessionOfAsync(SignInScenario scenario, string displayName) =>
        new(await scenario.QueryAsync(db => db.Sessions.AsNoTracking()
            .Where(s => s.EndedAt == null && db.Users.Any(u => u.Id == s.UserId && u.DisplayName == displayName))
            .Select(s => s.Id).SingleAsync()));

    /// <summary>A second integration through which <paramref name="displayName"/> has signed in, as the database records it.</summary>
    private static async Task<Guid> AddWayInAsync(SignInScenario scenario, string displayName, string integrationName, bool enabled = true) =>
        await scenario.QueryAsync(async db =>
        {
            var integration = new Integration
            {
                Platform = BitbucketServerPlatform.KindOf.Key,
                Id = Guid.NewGuid(), Name = integrationName, BaseUrl = "https://other.example.com", ServerVersion = "9.4.0",
                ClientId = "other", ProtectedClientSecret = "unused", Enabled = enabled, CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Integrations.Add(integration);
            var user = await db.Users.SingleAsync(u => u.DisplayName == displayName);
            db.ExternalIdentities.Add(new ExternalIdentity
            {
                IntegrationId = integration.Id, UserId = user.Id, ExternalUserId = 900 + Random.Shared.Next(1000), Username = "other",
                CreatedAt = DateTimeOffset.UtcNow, LastSignInAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
            return integration.Id;
        });

    private static IntegrationLifecycle Lifecycle(SignInScenario scenario) =>
        scenario.Host.Services.CreateScope().ServiceProvider.GetRequiredService<IntegrationLifecycle>();

    [Fact]
    public async Task A_sign_in_already_at_Bitbucket_when_its_integration_is_disabled_does_not_complete()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [BitbucketFakeUser.Ada, BitbucketFakeUser.Grace] });
        using var ada = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(ada);
        await AddWayInAsync(scenario, "Ada Lovelace", "Other Bitbucket");
        using var grace = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(grace));

        var disabled = await Lifecycle(scenario).SetEnabledAsync(await ActiveSessionOfAsync(scenario, "Ada Lovelace"), scenario.IntegrationId, enabled: false);
        Assert.True(disabled.Value.Done, disabled.ToString());
        var tokensBefore = scenario.Bitbucket.TokenRequests;
        using var response = await scenario.CallbackAsync(grace, callback);

        Assert.Contains("no longer exists or is disabled", await scenario.StatusMessageAfterAsync(grace, response), StringComparison.Ordinal);
        Assert.Equal(tokensBefore, scenario.Bitbucket.TokenRequests);
        Assert.DoesNotContain(await scenario.UsersAsync(), u => u.DisplayName == "Grace Hopper");
        // The sign-in page offers only the enabled integration.
        var disabledName = await scenario.QueryAsync(db => db.Integrations.Where(i => i.Id == scenario.IntegrationId).Select(i => i.Name).SingleAsync());
        var signInPage = await grace.Http.GetStringAsync(new Uri("/signin", UriKind.Relative));
        Assert.Contains("Sign in with Other Bitbucket", signInPage, StringComparison.Ordinal);
        Assert.DoesNotContain($"Sign in with {disabledName}", signInPage, StringComparison.Ordinal);
        // With every integration disabled it says sign-in is off, not that none was ever set up.
        await scenario.QueryAsync(db => db.Integrations.ExecuteUpdateAsync(set => set.SetProperty(i => i.Enabled, false)));
        var noWayIn = await grace.Http.GetStringAsync(new Uri("/signin", UriKind.Relative));
        Assert.Contains("Sign-in is turned off at the moment: every integration is disabled", noWayIn, StringComparison.Ordinal);
        Assert.DoesNotContain("No sign-in options are set up yet", noWayIn, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_sign_in_whose_integration_is_deleted_while_Bitbucket_answers_says_so_and_leaves_no_session()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [BitbucketFakeUser.Ada, BitbucketFakeUser.Grace] });
        using var ada = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(ada);
        await AddWayInAsync(scenario, "Ada Lovelace", "Other Bitbucket");
        var adaActor = await ActiveSessionOfAsync(scenario, "Ada Lovelace");
        using var grace = scenario.NewBrowser();
        var callback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(grace));
        // Bitbucket takes its time over the code, and the administrator deletes the integration in the meantime.
        scenario.Bitbucket.SlowDelay = TimeSpan.FromSeconds(6); // ample time for the delete on a busy machine
        scenario.Bitbucket.Mode = FakeMode.Slow;

        Task<int> ConsumedAsync() => scenario.QueryAsync(db => db.PendingAuthorizations.CountAsync(p => p.ConsumedAt != null));
        var consumedBefore = await ConsumedAsync(); // Ada's sign-in
        var signingIn = scenario.CallbackAsync(grace, callback);
        await Conditions.WaitForAsync(async () => await ConsumedAsync() > consumedBefore, TimeSpan.FromSeconds(30), "Grace's callback to consume its pending authorization");
        var deleted = await Lifecycle(scenario).DeleteAsync(adaActor, scenario.IntegrationId, SignInScenario.IntegrationName);
        Assert.True(deleted.Value.Done, deleted.ToString());
        scenario.Bitbucket.Mode = FakeMode.Normal;
        using var response = await signingIn;

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var message = await scenario.StatusMessageAfterAsync(grace, response);
        Assert.Contains("no longer", message, StringComparison.Ordinal);
        Assert.Equal(0, await scenario.QueryAsync(db => db.Sessions.CountAsync(s => s.IntegrationId == scenario.IntegrationId && s.EndedAt == null)));
        Assert.DoesNotContain(await scenario.UsersAsync(), u => u.DisplayName == "Grace Hopper");
        // The database refused the rows of a deleted integration, which EF Core logs as a failed command and save; the portal
        // itself logs no error.
        Assert.All(scenario.Host.Logs.Entries.Where(e => e.Level >= LogLevel.Error), e => Assert.StartsWith("Microsoft.EntityFrameworkCore.", e.Category, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deleting_an_integration_ends_its_peoples_sessions_at_once_and_keeps_their_accounts_as_orphaned()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [BitbucketFakeUser.Ada, BitbucketFakeUser.Grace] });
        using var ada = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(ada);
        using var grace = scenario.NewBrowser();
        await scenario.SignInAsync(grace, asUser: BitbucketFakeUser.Grace);
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(ada, "/integrations"));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(grace, "/account"));
        // Ada also signed in through another integration, so deleting this one leaves her a way in.
        await AddWayInAsync(scenario, "Ada Lovelace", "Other Bitbucket");
        var adaActor = await ActiveSessionOfAsync(scenario, "Ada Lovelace");

        var deleted = await Lifecycle(scenario).DeleteAsync(adaActor, scenario.IntegrationId, SignInScenario.IntegrationName);

        Assert.True(deleted.Succeeded, deleted.ToString());
        Assert.Equal(LifecycleOutcomeKind.Done, deleted.Value.Kind);
        Assert.Equal(2, deleted.Value.EndedSessions);
        Assert.Equal(1, deleted.Value.OrphanedAccounts);
        // The next request of either browser finds its session ended: no page, no action.
        Assert.Equal("/access", (await ada.Http.GetAsync(new Uri("/integrations", UriKind.Relative))).Headers.Location?.AbsolutePath);
        Assert.NotEqual(HttpStatusCode.OK, await StatusOfAsync(grace, "/account"));
        var sessions = await scenario.QueryAsync(db => db.Sessions.AsNoTracking().Where(s => s.IntegrationId == scenario.IntegrationId).ToListAsync());
        Assert.All(sessions, s => Assert.Equal(SessionEndReason.IntegrationRemoved, s.EndReason));
        Assert.Equal(AccessRefusalReason.SessionEnded,
            (await scenario.Host.Services.GetRequiredService<AdministratorGate>().CheckAsync(adaActor))?.Reason);
        // Both accounts stay with their roles; Grace, who had no other way in, is orphaned.
        var people = await scenario.Host.Services.CreateScope().ServiceProvider.GetRequiredService<AccountService>().ListAsync();
        Assert.Contains(people, p => p is { DisplayName: "Ada Lovelace", IsAdministrator: true, IsOrphaned: false });
        Assert.Contains(people, p => p is { DisplayName: "Grace Hopper", IsOrphaned: true });
        Assert.False(await scenario.QueryAsync(db => db.Integrations.AnyAsync(i => i.Id == scenario.IntegrationId)));
        Assert.Empty(await scenario.QueryAsync(db => db.ExternalIdentities.Where(e => e.IntegrationId == scenario.IntegrationId).ToListAsync()));
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Deleting_needs_the_integrations_name_typed_exactly()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var ada = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(ada);
        await AddWayInAsync(scenario, "Ada Lovelace", "Other Bitbucket");
        var adaActor = await ActiveSessionOfAsync(scenario, "Ada Lovelace");

        var mistyped = await Lifecycle(scenario).DeleteAsync(adaActor, scenario.IntegrationId, "acme bitbucket");

        Assert.Equal(LifecycleOutcomeKind.ConfirmationMismatch, mistyped.Value.Kind);
        Assert.Contains("\"Acme Bitbucket\"", mistyped.Value.Message, StringComparison.Ordinal);
        Assert.True(await scenario.QueryAsync(db => db.Integrations.AnyAsync(i => i.Id == scenario.IntegrationId)));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(ada, "/integrations"));
    }

    [Fact]
    public async Task The_last_enabled_integration_an_administrator_signed_in_through_cannot_be_disabled_or_deleted()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var ada = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(ada);
        var adaActor = await ActiveSessionOfAsync(scenario, "Ada Lovelace");
        // A disabled integration she signed in through is no way in.
        var disabledWayIn = await AddWayInAsync(scenario, "Ada Lovelace", "Old Bitbucket", enabled: false);

        var disable = await Lifecycle(scenario).SetEnabledAsync(adaActor, scenario.IntegrationId, enabled: false);
        var delete = await Lifecycle(scenario).DeleteAsync(adaActor, scenario.IntegrationId, SignInScenario.IntegrationName);

        Assert.Equal(LifecycleOutcomeKind.LastAdministratorWayIn, disable.Value.Kind);
        Assert.Equal(LifecycleOutcomeKind.LastAdministratorWayIn, delete.Value.Kind);
        foreach (var message in new[] { disable.Value.Message!, delete.Value.Message! })
        {
            Assert.Contains("\"Acme Bitbucket\" is the only enabled integration through which an administrator (Ada Lovelace) has signed in", message, StringComparison.Ordinal);
            Assert.Contains("sign in through another enabled integration", message, StringComparison.Ordinal);
        }
        Assert.StartsWith("Disabling it", disable.Value.Message!.Split(". ")[1], StringComparison.Ordinal);
        Assert.StartsWith("Deleting it", delete.Value.Message!.Split(". ")[1], StringComparison.Ordinal);
        Assert.True(await scenario.QueryAsync(db => db.Integrations.Where(i => i.Id == scenario.IntegrationId).Select(i => i.Enabled).SingleAsync()));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(ada, "/integrations"));

        // Once the other integration is enabled again, it is a way in, and this one may go.
        Assert.True((await Lifecycle(scenario).SetEnabledAsync(adaActor, disabledWayIn, enabled: true)).Value.Done);
        Assert.True((await Lifecycle(scenario).SetEnabledAsync(adaActor, scenario.IntegrationId, enabled: false)).Value.Done);
        // And now the other one is the last way in.
        Assert.Equal(LifecycleOutcomeKind.LastAdministratorWayIn,
            (await Lifecycle(scenario).SetEnabledAsync(adaActor, disabledWayIn, enabled: false)).Value.Kind);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task While_Setup_Mode_lasts_without_administrators_the_only_integration_may_be_disabled()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var setupActor = await scenario.Host.Services.AdministratorAsync();

        var disabled = await Lifecycle(scenario).SetEnabledAsync(setupActor, scenario.IntegrationId, enabled: false);

        Assert.True(disabled.Value.Done, disabled.Value.Message);
        Assert.False(await scenario.QueryAsync(db => db.Integrations.Where(i => i.Id == scenario.IntegrationId).Select(i => i.Enabled).SingleAsync()));
    }
}
