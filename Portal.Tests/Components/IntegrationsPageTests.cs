using Portal.Core.Platforms.BitbucketServer;
using Bunit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.Security;
using Portal.Core.Setup;
using Microsoft.EntityFrameworkCore;
using Portal.Features.Integrations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components;

public sealed class IntegrationsPageTests : MudTestBase
{
    private readonly TestDatabase database = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        database.Register(services);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new SecretProtector(new EphemeralDataProtectionProvider()));
        services.AddScoped<IntegrationValidator>();
        services.AddBitbucketPlatformForTests();
        services.AddScoped<IntegrationService>();
        services.AddIntegrationManagement();
        services.AddVerifyPanel();
        services.AddSingleton(Options.Create(new PortalOptions { PublicUrl = "https://portal.example.com" }));
        services.AddTestAuthorization();
    }

    public override async Task InitializeAsync() => Auth.SignInAs(await Ctx.Services.AdministratorAsync());

    [Fact]
    public void Without_integrations_the_page_says_how_to_add_one()
    {
        var cut = Ctx.Render<Integrations>();

        cut.WaitForAssertion(() => Assert.Contains("Add Integration", cut.Find("[data-testid=no-integrations]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disabling_an_integration_hides_its_verify_button_and_enabling_brings_it_back()
    {
        var id = Guid.NewGuid();
        await using (var db = database.CreateContext())
        {
            db.Integrations.Add(new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = id, Name = "Acme Bitbucket", BaseUrl = "https://b.example.com", ServerVersion = "8.9.1", ClientId = "x", ProtectedClientSecret = "x" });
            await db.SaveChangesAsync();
        }
        var cut = Ctx.Render<Integrations>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[aria-label='Verify Acme Bitbucket']")));
        Assert.Contains("Not verified", cut.Find("tbody tr").TextContent, StringComparison.Ordinal);

        cut.Find("button[aria-label='Disable Acme Bitbucket']").Click();

        cut.WaitForAssertion(() => Assert.Contains("Disabled", cut.Find("tbody tr").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[aria-label='Verify Acme Bitbucket']"));
        await using (var db = database.CreateContext())
        {
            Assert.False((await db.Integrations.FindAsync(id))!.Enabled);
        }

        cut.Find("button[aria-label='Enable Acme Bitbucket']").Click();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[aria-label='Verify Acme Bitbucket']")));
    }

    [Fact]
    public async Task A_setup_session_page_left_open_after_setup_mode_ended_cannot_disable_and_says_why()
    {
        var id = Guid.NewGuid();
        await using (var db = database.CreateContext())
        {
            db.Integrations.Add(new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = id, Name = "Acme Bitbucket", BaseUrl = "https://b.example.com", ServerVersion = "8.9.1", ClientId = "x", ProtectedClientSecret = "x" });
            await db.SaveChangesAsync();
        }
        var cut = Ctx.Render<Integrations>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("button[aria-label='Disable Acme Bitbucket']")));
        var (ada, _) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: false);
        Assert.True((await Ctx.Services.GetRequiredService<SetupModeService>().EndWithAdministratorAsync(ada.Id)).Ended);

        cut.Find("button[aria-label='Disable Acme Bitbucket']").Click();

        cut.WaitForAssertion(() => Assert.Contains("Setup Mode has ended", cut.Find("[data-testid=access-lost]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("button[aria-label='Disable Acme Bitbucket']"));
        await using var check = database.CreateContext();
        Assert.True((await check.Integrations.SingleAsync()).Enabled);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        database.Dispose();
    }
}
