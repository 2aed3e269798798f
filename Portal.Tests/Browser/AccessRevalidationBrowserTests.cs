using Portal.Core.Platforms.BitbucketServer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Integrations;
using Portal.Core.Persistence;
using Portal.Core.Platforms;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>
/// A page left open keeps no powers its person lost: an action from it is refused and says why, and within the
/// revalidation interval the admin controls disappear without a reload.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessRevalidationBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Name = "Acme Bitbucket";
    private BitbucketFake fake = null!;
    private PortalHost? host;

    public async Task InitializeAsync()
    {
        // Told to skip Bitbucket's https rule: Chromium does not trust the fake's test certificate (the rule has host tests).
        fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { SkipHttpsRequirement = true });
        fake.AddUser(BitbucketFakeUser.Ada);
        fake.AddUser(BitbucketFakeUser.Grace);
    }

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }
        await fake.DisposeAsync();
    }

    /// <summary>A portal with one integration at the fake; pages re-check their person every <paramref name="revalidation"/>.</summary>
    private async Task<PortalHost> StartPortalAsync(string revalidation)
    {
        host = new PortalHost(settings: new Dictionary<string, string?> { ["Sessions:RevalidationInterval"] = revalidation });
        var integrationId = Guid.NewGuid();
        var link = fake.RegisterClient("Portal", CallbackUrl.For(host.BaseUrl, integrationId));
        host.Start();
        await host.Services.CreateIntegrationAsync(new NewIntegration(integrationId, Name, BitbucketServerPlatform.KindOf.Key, fake.BaseUrl,
            "8.9.1", OAuthVersion.OAuth2, link.ClientId, link.ClientSecret));
        return host;
    }

    private async Task SignInAsync(IPage page, BitbucketFakeUser user)
    {
        fake.ConsentingUser = user;
        await page.GotoAsync($"{host!.BaseUrl}/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Sign in with {Name}" }).ClickAsync();
        await page.AllowOnBitbucketAsync(user);
        await page.WaitForURLAsync($"{host.BaseUrl}/");
        await Assertions.Expect(page.GetByTestId("current-user")).ToHaveTextAsync(user.DisplayName);
    }

    /// <summary>Ada, the first administrator (through the setup link), in a browser of her own.</summary>
    private async Task<IPage> FirstAdministratorAsync()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host!.SetupLink);
        await SignInAsync(page, BitbucketFakeUser.Ada);
        return page;
    }

    private async Task<bool> EnabledAsync()
    {
        await using var scope = host!.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<IntegrationService>().ListAsync()).Single().Enabled;
    }

    private static ILocator AccessLost(IPage page) => page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "This page can no longer make changes." });

    /// <summary>Ada, the first administrator, with People open, makes Grace (signed in in her own browser) an administrator.</summary>
    private async Task<(IPage Ada, IPage Grace)> AdaAndGraceAdministratorsAsync(string revalidation)
    {
        await StartPortalAsync(revalidation);
        var ada = await FirstAdministratorAsync();
        var grace = await browser.NewPageAsync();
        await SignInAsync(grace, BitbucketFakeUser.Grace);
        await ada.GotoAsync($"{host!.BaseUrl}/people");
        await ada.WaitForInteractiveAsync();
        await ada.GetByRole(AriaRole.Switch, new() { Name = "Administrator: Grace Hopper" }).ClickAsync();
        await Assertions.Expect(ada.GetByText("Grace Hopper is now an administrator.")).ToBeVisibleAsync();
        return (ada, grace);
    }

    /// <summary>Ada, with People open, makes Grace an administrator; then Grace, on People in her own browser, revokes Ada.</summary>
    private async Task<IPage> AdaRevokedByGraceWhilePeopleIsOpenAsync(string revalidation)
    {
        var (ada, grace) = await AdaAndGraceAdministratorsAsync(revalidation);
        await ada.AssertNoAccessibilityViolationsAsync("administrator, People after granting the role");
        await grace.GotoAsync($"{host!.BaseUrl}/people");
        await grace.WaitForInteractiveAsync();

        await grace.GetByRole(AriaRole.Switch, new() { Name = "Administrator: Ada Lovelace" }).ClickAsync();
        await Assertions.Expect(grace.GetByText("Ada Lovelace is no longer an administrator.")).ToBeVisibleAsync();
        return ada;
    }

    [Fact]
    public async Task Revoking_ones_own_role_asks_first_and_keeping_it_leaves_the_role()
    {
        var (ada, _) = await AdaAndGraceAdministratorsAsync(revalidation: "00:10:00");

        var own = ada.GetByRole(AriaRole.Switch, new() { Name = "Administrator: Ada Lovelace" });
        await own.FocusAsync();
        await ada.Keyboard.PressAsync("Space");
        var dialog = ada.GetByRole(AriaRole.Dialog, new() { Name = "Revoke your own administrator role?" });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Keep it" }).ClickAsync();

        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(own).ToBeCheckedAsync();
        await Assertions.Expect(own).ToBeFocusedAsync(); // the keyboard user is where they were
        await using var scope = host!.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.True((await db.Users.SingleAsync(u => u.DisplayName == "Ada Lovelace")).IsAdministrator);
    }

    [Fact]
    public async Task An_administrator_revoked_while_people_was_open_loses_the_switches_without_a_reload()
    {
        var ada = await AdaRevokedByGraceWhilePeopleIsOpenAsync(revalidation: "00:00:01");

        // No click, no reload: Ada's open page re-checks her and gives way to the reason.
        await Assertions.Expect(AccessLost(ada)).ToContainTextAsync("You are no longer an administrator. Sign in again", new() { Timeout = 20_000 });
        await Assertions.Expect(ada.GetByRole(AriaRole.Switch)).ToHaveCountAsync(0);
        await ada.ScreenshotToAsync("52-access-lost-role-revoked.png");
        await ada.AssertNoAccessibilityViolationsAsync("People, access lost: role revoked");
    }

    [Fact]
    public async Task A_revoked_administrator_s_click_on_a_page_left_open_is_refused_and_changes_nothing()
    {
        var ada = await AdaRevokedByGraceWhilePeopleIsOpenAsync(revalidation: "00:10:00");

        // Her page still shows the switches; her first click would turn her own role off, the second on again.
        await ada.GetByRole(AriaRole.Switch, new() { Name = "Administrator: Ada Lovelace" }).ClickAsync();

        await Assertions.Expect(AccessLost(ada)).ToContainTextAsync("You are no longer an administrator. Sign in again");
        await using var scope = host!.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.False((await db.Users.SingleAsync(u => u.DisplayName == "Ada Lovelace")).IsAdministrator);
    }

    [Fact]
    public async Task A_setup_session_page_left_open_after_setup_mode_ended_is_refused_and_says_why()
    {
        await StartPortalAsync(revalidation: "00:10:00");
        var integrations = await browser.NewPageAsync();
        await integrations.GotoAsync(host!.SetupLink);
        await integrations.WaitForInteractiveAsync();
        await Assertions.Expect(integrations.GetByRole(AriaRole.Button, new() { Name = $"Disable {Name}" })).ToBeVisibleAsync();

        // The same person signs in with Bitbucket in another tab: the first administrator, so Setup Mode ends.
        var other = await integrations.Context.NewPageAsync();
        await SignInAsync(other, BitbucketFakeUser.Ada);
        await integrations.GetByRole(AriaRole.Button, new() { Name = $"Disable {Name}" }).ClickAsync();

        await Assertions.Expect(AccessLost(integrations)).ToContainTextAsync("Setup Mode has ended");
        await Assertions.Expect(integrations.GetByRole(AriaRole.Button, new() { Name = $"Disable {Name}" })).ToHaveCountAsync(0);
        Assert.True(await EnabledAsync());
        await integrations.ScreenshotToAsync("53-access-lost-setup-mode-over.png");
        await integrations.AssertNoAccessibilityViolationsAsync("Integrations, access lost: Setup Mode over");
    }

    [Fact]
    public async Task After_signing_out_in_another_tab_an_open_page_changes_nothing()
    {
        await StartPortalAsync(revalidation: "00:10:00");
        var integrations = await FirstAdministratorAsync();
        await integrations.GotoAsync($"{host!.BaseUrl}/integrations");
        await integrations.WaitForInteractiveAsync();

        var other = await integrations.Context.NewPageAsync();
        await other.GotoAsync($"{host.BaseUrl}/account");
        await other.GetByTestId("account-details").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(other.GetByTestId("status-message")).ToContainTextAsync("You are signed out.");
        await integrations.GetByRole(AriaRole.Button, new() { Name = $"Disable {Name}" }).ClickAsync();

        await Assertions.Expect(AccessLost(integrations)).ToContainTextAsync("You signed out (in this or another tab)");
        await integrations.AssertNoAccessibilityViolationsAsync("Integrations, access lost: signed out");
        Assert.True(await EnabledAsync());
    }
}
