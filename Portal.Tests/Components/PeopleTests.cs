using Bunit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.Security;
using Portal.Core.Sessions;
using Portal.Features.Account;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components;

public sealed class PeopleTests : MudTestBase
{
    private readonly TestDatabase database = new();
    private readonly FailingReadAfterCommit failingReadAfterCommit = new();
    private readonly UnreadableTableInterceptor unreadableUsers = new("Users");

    protected override void ConfigureServices(IServiceCollection services)
    {
        database.Register(services, busyTimeoutSeconds: 1, failingReadAfterCommit, unreadableUsers);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new SecretProtector(new EphemeralDataProtectionProvider()));
        services.AddScoped<AccountService>();
        services.AddIntegrationManagement();
        services.AddTestAuthorization();
    }

    [Fact]
    public async Task A_database_that_fails_when_the_live_page_reads_it_becomes_a_message_naming_the_problem_not_a_dead_page()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        Auth.SignInAs(ada);
        unreadableUsers.Failing = true;

        var cut = Ctx.Render<People>();

        cut.WaitForAssertion(() => Assert.Contains("The page could not read from the portal's database, so it cannot show this part. The portal could not read or write its database file",
            cut.Find("[data-testid=database-read-failure]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[aria-label='Loading people']"));
    }

    [Fact]
    public async Task Revoking_the_last_administrator_is_refused_with_a_message_and_the_switch_stays_on()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        await Ctx.Services.PersonAsync("Grace Hopper", isAdministrator: false);
        Auth.SignInAs(ada);
        var cut = Ctx.Render<People>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        cut.Find("input[aria-label='Administrator: Ada Lovelace']").Change(false);

        cut.WaitForAssertion(() => Assert.Contains("last administrator", cut.Markup, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.True(cut.Find("input[aria-label='Administrator: Ada Lovelace']").HasAttribute("checked")));
        // Why the switch flipped back stays until it is closed, not five seconds.
        var refusal = OptionsOf(Assert.Single(Ctx.Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars));
        Assert.True(refusal.RequireInteraction == true);
        Assert.True(refusal.ShowCloseIcon == true);
    }

    [Fact]
    public async Task Revoking_ones_own_role_asks_first_and_keeping_it_changes_nothing()
    {
        var (ada, adaActor) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        await Ctx.Services.PersonAsync("Grace Hopper", isAdministrator: true, canSignIn: true);
        Auth.SignInAs(adaActor);
        var cut = Ctx.Render<People>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        cut.Find("input[aria-label='Administrator: Ada Lovelace']").Change(false);
        cut.WaitForElement(".mud-dialog button:contains('Keep it')", TimeSpan.FromSeconds(10));
        Assert.Contains("Revoke your own administrator role?", cut.Find(".mud-dialog").TextContent, StringComparison.Ordinal);
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Keep it").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".mud-dialog")));
        cut.WaitForAssertion(() => Assert.True(cut.Find("input[aria-label='Administrator: Ada Lovelace']").HasAttribute("checked")));
        Assert.True(await IsAdministratorAsync(ada.Id));

        cut.Find("input[aria-label='Administrator: Ada Lovelace']").Change(false);
        cut.WaitForElement(".mud-dialog button:contains('Revoke my role')", TimeSpan.FromSeconds(10));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Revoke my role").Click();

        cut.WaitForAssertion(() => Assert.False(IsAdministratorAsync(ada.Id).GetAwaiter().GetResult()), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Revoking_someone_elses_role_does_not_ask()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true, canSignIn: true);
        var (grace, _) = await Ctx.Services.PersonAsync("Grace Hopper", isAdministrator: true);
        Auth.SignInAs(ada);
        var cut = Ctx.Render<People>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("table[aria-label=People] tbody tr").Count));

        cut.Find("input[aria-label='Administrator: Grace Hopper']").Change(false);

        cut.WaitForAssertion(() => Assert.Contains("Grace Hopper is no longer an administrator", cut.Markup, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll(".mud-dialog"));
        Assert.False(await IsAdministratorAsync(grace.Id));
    }

    [Fact]
    public async Task Granting_the_role_shows_who_is_now_an_administrator()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        await Ctx.Services.PersonAsync("Grace Hopper", isAdministrator: false);
        Auth.SignInAs(ada);
        var cut = Ctx.Render<People>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        cut.Find("input[aria-label='Administrator: Grace Hopper']").Change(true);

        cut.WaitForAssertion(() => Assert.Contains("Grace Hopper is now an administrator", cut.Markup, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.True(cut.Find("input[aria-label='Administrator: Grace Hopper']").HasAttribute("checked")));
        // A confirmation leaves by itself.
        Assert.NotEqual(true, OptionsOf(Assert.Single(Ctx.Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars)).RequireInteraction);
    }

    // MudBlazor keeps a shown snackbar's options internal; its provider reads them the same way.
    private static MudBlazor.SnackbarOptions OptionsOf(MudBlazor.Snackbar snackbar)
    {
        var state = typeof(MudBlazor.Snackbar).GetProperty("State", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!.GetValue(snackbar)!;
        return (MudBlazor.SnackbarOptions)state.GetType().GetProperty("Options")!.GetValue(state)!;
    }

    [Fact]
    public async Task An_administrator_revoked_while_the_page_was_open_cannot_grant_the_role_back_and_loses_the_controls()
    {
        var (ada, adaActor) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        var (_, graceActor) = await Ctx.Services.PersonAsync("Grace Hopper", isAdministrator: true, canSignIn: true);
        Auth.SignInAs(adaActor);
        var cut = Ctx.Render<People>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));
        Assert.True((await Ctx.Services.GetRequiredService<AdministratorRoles>().SetAsync(graceActor, ada.Id, false)).Succeeded);

        // The page still shows her switch on; her first click would turn it off, her second on again.
        cut.Find("input[aria-label='Administrator: Ada Lovelace']").Change(false);

        cut.WaitForAssertion(() => Assert.Contains("You are no longer an administrator. Sign in again", cut.Find("[data-testid=access-lost]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("input[aria-label^='Administrator:']"));
        Assert.False(await IsAdministratorAsync(ada.Id));
    }

    [Fact]
    public async Task After_signing_out_in_another_tab_the_open_page_changes_nothing()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        var (grace, _) = await Ctx.Services.PersonAsync("Grace Hopper", isAdministrator: false);
        Auth.SignInAs(ada);
        var cut = Ctx.Render<People>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));
        await Ctx.Services.GetRequiredService<SessionService>().EndAsync(ada.SessionId!.Value, SessionEndReason.SignedOut);

        cut.Find("input[aria-label='Administrator: Grace Hopper']").Change(true);

        cut.WaitForAssertion(() => Assert.Contains("You signed out (in this or another tab)", cut.Find("[data-testid=access-lost]").TextContent, StringComparison.Ordinal));
        Assert.False(await IsAdministratorAsync(grace.Id));
    }

    [Fact]
    public async Task A_busy_database_becomes_a_message_and_the_page_keeps_working()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        var (grace, _) = await Ctx.Services.PersonAsync("Grace Hopper", isAdministrator: false);
        Auth.SignInAs(ada);
        var cut = Ctx.Render<People>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        await using (await DatabaseFaults.HoldWriteLockAsync(database.Path))
        {
            cut.Find("input[aria-label='Administrator: Grace Hopper']").Change(true);

            cut.WaitForAssertion(() => Assert.Contains("The database is busy", cut.Markup, StringComparison.Ordinal), TimeSpan.FromSeconds(15));
            cut.WaitForAssertion(() => Assert.False(cut.Find("input[aria-label='Administrator: Grace Hopper']").HasAttribute("checked")));
        }
        Assert.False(await IsAdministratorAsync(grace.Id));

        cut.Find("input[aria-label='Administrator: Grace Hopper']").Change(true);

        cut.WaitForAssertion(() => Assert.Contains("Grace Hopper is now an administrator", cut.Markup, StringComparison.Ordinal));
        Assert.True(await IsAdministratorAsync(grace.Id));
    }

    [Fact]
    public async Task A_database_that_fails_just_after_a_saved_change_leaves_a_message_and_a_working_page()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true, canSignIn: true);
        var (grace, _) = await Ctx.Services.PersonAsync("Grace Hopper", isAdministrator: false);
        Auth.SignInAs(ada);
        var cut = Ctx.Render<People>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));
        failingReadAfterCommit.Arm();

        cut.Find("input[aria-label='Administrator: Grace Hopper']").Change(true);

        cut.WaitForAssertion(() => Assert.Contains("Grace Hopper is now an administrator", cut.Markup, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.Contains("The page could not read the current state from the database", cut.Markup, StringComparison.Ordinal));
        Assert.True(await IsAdministratorAsync(grace.Id));

        cut.Find("input[aria-label='Administrator: Grace Hopper']").Change(false);

        cut.WaitForAssertion(() => Assert.Contains("Grace Hopper is no longer an administrator", cut.Markup, StringComparison.Ordinal));
        Assert.False(await IsAdministratorAsync(grace.Id));
    }

    [Fact]
    public async Task An_orphaned_account_is_marked_and_can_be_removed_while_one_with_a_way_in_cannot()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        var (orphan, _) = await Ctx.Services.PersonAsync("Orphaned Olga", isAdministrator: false);
        await using (var db = database.CreateContext())
        {
            // Ada still signs in through an integration; Olga's only integration was deleted.
            var integration = new Portal.Core.Integrations.Integration { Id = Guid.NewGuid(), Name = "Acme", BaseUrl = "https://b.example.com" };
            db.Integrations.Add(integration);
            var adaUser = await db.Users.SingleAsync(u => u.DisplayName == "Ada Lovelace");
            db.ExternalIdentities.Add(new ExternalIdentity { IntegrationId = integration.Id, UserId = adaUser.Id, ExternalUserId = 1, Username = "ada" });
            await db.SaveChangesAsync();
        }
        Auth.SignInAs(ada);
        var cut = Ctx.Render<People>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count), TimeSpan.FromSeconds(10));

        Assert.Contains("Orphaned", cut.Find("tbody tr:contains('Orphaned Olga')").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Orphaned", cut.Find("tbody tr:contains('Ada Lovelace')").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("button[aria-label='Remove Ada Lovelace']"));
        cut.Find("button[aria-label='Remove Orphaned Olga']").Click();
        cut.WaitForElement(".mud-dialog button:contains('Remove')", TimeSpan.FromSeconds(10));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Remove").Click();

        cut.WaitForAssertion(() => Assert.Contains("Orphaned Olga's account was removed", cut.Markup, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tbody tr")), TimeSpan.FromSeconds(10));
        await using var check = database.CreateContext();
        Assert.False(await check.Users.AnyAsync(u => u.Id == orphan.Id));
    }

    private async Task<bool> IsAdministratorAsync(Guid userId)
    {
        await using var db = database.CreateContext();
        return await db.Users.AnyAsync(u => u.Id == userId && u.IsAdministrator);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        database.Dispose();
    }
}
