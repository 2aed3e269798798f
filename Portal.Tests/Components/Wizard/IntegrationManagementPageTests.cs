using Portal.Core.Platforms.BitbucketServer;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Core.Accounts;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Features.Integrations;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Wizard;

/// <summary>An integration's own page and its edit page, over the real draft, live check, services and database.</summary>
public sealed class IntegrationManagementPageTests : WizardTestBase
{
    private const string ClientId = "00112233445566778899aabbccddeeff";
    private const string Secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    protected override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddIntegrationManagement();
        services.AddVerifyPanel();
    }

    private async Task<Integration> VerifiedAsync(string baseUrl, string name = "Acme Bitbucket")
    {
        var created = await Ctx.Services.CreateIntegrationAsync(new NewIntegration(Guid.NewGuid(), name, BitbucketServerPlatform.KindOf.Key,
            baseUrl, "8.9.1", OAuthVersion.OAuth2, ClientId, Secret));
        await using var db = Database.CreateContext();
        await db.Integrations.Where(i => i.Id == created.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Verification, IntegrationVerification.Verified).SetProperty(i => i.VerifiedAt, DateTimeOffset.UtcNow));
        return created;
    }

    private IRenderedComponent<EditIntegration> RenderEdit(Guid id)
    {
        var cut = Ctx.Render<EditIntegration>(p => p.Add(x => x.Id, id));
        cut.WaitForElement("[data-testid=interactive]", TimeSpan.FromSeconds(10));
        return cut;
    }

    [Fact]
    public async Task The_edit_page_shows_the_fixed_Callback_URL_checks_the_stored_Base_URL_and_saves_a_new_name()
    {
        var fake = await StartFakeAsync();
        var acme = await VerifiedAsync(fake.BaseUrl);
        var cut = RenderEdit(acme.Id);

        Assert.Equal(CallbackUrl.For(PublicUrl, acme.Id), cut.Find("[data-testid=fixed-callback-url]").TextContent.Trim());
        Assert.Equal("Acme Bitbucket", cut.Find("input#integration-name").GetAttribute("value"));
        var platform = cut.Find("select#integration-platform");
        Assert.True(platform.HasAttribute("disabled"));
        Assert.Equal("integration-platform-fixed", platform.GetAttribute("aria-describedby"));
        Assert.Contains("platform cannot change", cut.Find("#integration-platform-fixed").TextContent, StringComparison.Ordinal);
        WaitForText(cut, "[data-testid=detected-version]", "8.9.1");
        Assert.Contains("Leave the Client Secret empty", cut.Find("[data-testid=secret-kept]").TextContent, StringComparison.Ordinal);
        cut.Find("input#integration-name").Input("Acme Data Center");
        Assert.Empty(cut.FindAll("[data-testid=will-mark-not-verified]"));

        cut.Find("button:contains('Save changes')").Click();

        var navigation = Ctx.Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith($"/integrations/{acme.Id}?edited=1", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await using var db = Database.CreateContext();
        var stored = await db.Integrations.SingleAsync();
        Assert.Equal(("Acme Data Center", IntegrationVerification.Verified), (stored.Name, stored.Verification));
    }

    [Fact]
    public async Task A_new_Base_URL_is_checked_live_warns_that_it_resets_Verified_and_is_saved_with_the_version_found()
    {
        var oldServer = await StartFakeAsync();
        var newServer = await StartFakeAsync(new BitbucketFakeOptions { Version = "9.4.2" });
        var acme = await VerifiedAsync(oldServer.BaseUrl);
        var cut = RenderEdit(acme.Id);
        WaitForText(cut, "[data-testid=detected-version]", "8.9.1");

        cut.Find("input#integration-base-url").Input(newServer.BaseUrl);

        WaitForText(cut, "[data-testid=detected-version]", "9.4.2");
        Assert.Contains("Not verified", cut.Find("[data-testid=will-mark-not-verified]").TextContent, StringComparison.Ordinal);
        cut.Find("button:contains('Save changes')").Click();
        var navigation = Ctx.Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith("?edited=1", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await using var db = Database.CreateContext();
        var stored = await db.Integrations.SingleAsync();
        Assert.Equal((newServer.BaseUrl, "9.4.2", IntegrationVerification.NotVerified), (stored.BaseUrl, stored.ServerVersion, stored.Verification));
    }

    [Fact]
    public async Task A_Base_URL_where_nothing_answers_is_not_saved_and_what_was_typed_stays()
    {
        var fake = await StartFakeAsync();
        var acme = await VerifiedAsync(fake.BaseUrl);
        var cut = RenderEdit(acme.Id);
        WaitForText(cut, "[data-testid=detected-version]", "8.9.1");
        var nowhere = $"http://127.0.0.1:{PortalHost.FreeLoopbackPort()}";

        cut.Find("input#integration-base-url").Input(nowhere);
        cut.WaitForElement("[data-testid=check-failed]", TimeSpan.FromSeconds(10));
        cut.Find("button:contains('Save changes')").Click();

        WaitForText(cut, "[data-testid=save-errors]", "has not found Bitbucket at this base URL");
        Assert.Equal(nowhere, cut.Find("input#integration-base-url").GetAttribute("value"));
        await using var db = Database.CreateContext();
        Assert.Equal(fake.BaseUrl, (await db.Integrations.SingleAsync()).BaseUrl);
    }

    [Fact]
    public async Task A_new_Client_ID_asks_for_its_Client_Secret()
    {
        var fake = await StartFakeAsync();
        var acme = await VerifiedAsync(fake.BaseUrl);
        var cut = RenderEdit(acme.Id);
        WaitForText(cut, "[data-testid=detected-version]", "8.9.1");

        cut.Find("input#integration-client-id").Input("ffeeddccbbaa99887766554433221100");
        cut.WaitForElement("[data-testid=secret-required]", TimeSpan.FromSeconds(10));
        cut.Find("button:contains('Save changes')").Click();

        WaitForText(cut, "[data-testid=save-errors]", "You changed the Client ID");
        await using var db = Database.CreateContext();
        Assert.Equal(ClientId, (await db.Integrations.SingleAsync()).ClientId);
    }

    [Fact]
    public void The_edit_page_of_a_deleted_integration_says_so()
    {
        var cut = RenderEdit(Guid.NewGuid());

        Assert.Contains("may have been deleted", cut.Find("[data-testid=integration-not-found]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_integration_page_shows_its_settings_and_the_fixed_Callback_URL_but_never_the_secret()
    {
        var acme = await VerifiedAsync("https://bitbucket.example.com");

        var cut = Ctx.Render<IntegrationPage>(p => p.Add(x => x.Id, acme.Id));

        cut.WaitForElement("[data-testid=interactive]", TimeSpan.FromSeconds(10));
        var details = cut.Find("[data-testid=integration-details]").TextContent;
        Assert.Contains("https://bitbucket.example.com", details, StringComparison.Ordinal);
        Assert.Contains(ClientId, details, StringComparison.Ordinal);
        Assert.Contains("Verified", cut.Find("[data-testid=verified-state]").TextContent, StringComparison.Ordinal);
        Assert.Equal(CallbackUrl.For(PublicUrl, acme.Id), cut.Find("input#integration-callback-url").GetAttribute("value"));
        Assert.Equal($"/integrations/{acme.Id}/edit", cut.Find("a:contains('Edit')").GetAttribute("href"));
        Assert.NotNull(cut.Find("[data-testid=credential-and-certificate-links]"));
        Assert.DoesNotContain(Secret, cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_stays_disabled_until_the_name_is_typed_and_then_deletes_and_returns_to_the_list()
    {
        var acme = await VerifiedAsync("https://bitbucket.example.com");
        var cut = Ctx.Render<IntegrationPage>(p => p.Add(x => x.Id, acme.Id));
        cut.WaitForElement("[data-testid=interactive]", TimeSpan.FromSeconds(10));

        cut.Find("button:contains('Delete')").Click();
        cut.WaitForElement("input#delete-confirmation", TimeSpan.FromSeconds(10));
        Assert.True(cut.Find("button:contains('Delete integration')").HasAttribute("disabled"));
        cut.Find("input#delete-confirmation").Input("acme bitbucket");
        Assert.True(cut.Find("button:contains('Delete integration')").HasAttribute("disabled"));
        cut.Find("input#delete-confirmation").Input("Acme Bitbucket");
        cut.WaitForAssertion(() => Assert.False(cut.Find("button:contains('Delete integration')").HasAttribute("disabled")), TimeSpan.FromSeconds(10));
        cut.Find("button:contains('Delete integration')").Click();

        var navigation = Ctx.Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith("/integrations", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await using var db = Database.CreateContext();
        Assert.False(await db.Integrations.AnyAsync());
    }

    [Fact]
    public async Task Disabling_the_administrators_last_way_in_shows_why_and_what_to_do_first()
    {
        var acme = await VerifiedAsync("https://bitbucket.example.com");
        await using (var db = Database.CreateContext())
        {
            var ada = new PortalUser { DisplayName = "Ada Lovelace", IsAdministrator = true, CreatedAt = DateTimeOffset.UtcNow };
            db.Users.Add(ada);
            db.ExternalIdentities.Add(new ExternalIdentity { IntegrationId = acme.Id, User = ada, ExternalUserId = 101, Username = "ada" });
            await db.SaveChangesAsync();
        }
        Auth.SignInAs(await Ctx.Services.AdministratorAsync());
        var cut = Ctx.Render<IntegrationPage>(p => p.Add(x => x.Id, acme.Id));
        cut.WaitForElement("[data-testid=interactive]", TimeSpan.FromSeconds(10));

        cut.Find("button:contains('Disable')").Click();

        WaitForText(cut, "[data-testid=lifecycle-refused]", "only enabled integration through which an administrator (Ada Lovelace) has signed in");
        Assert.Contains("Enabled", cut.Find("[data-testid=integration-details]").TextContent, StringComparison.Ordinal);
    }
}
