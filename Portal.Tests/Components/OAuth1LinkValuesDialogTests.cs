using Portal.Core.Platforms.BitbucketServer;
using Bunit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Core.Platforms;
using Portal.Core.Security;
using Portal.Features.Integrations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components;

public sealed class OAuth1LinkValuesDialogTests : MudTestBase
{
    private readonly TestDatabase database = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        database.Register(services);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new SecretProtector(new EphemeralDataProtectionProvider()));
        services.AddSingleton(Options.Create(new PortalOptions { PublicUrl = "https://portal.example.com" }));
        services.AddScoped<IntegrationValidator>();
        services.AddBitbucketPlatformForTests();
        services.AddScoped<IntegrationService>();
        services.AddIntegrationManagement();
        services.AddVerifyPanel();
        services.AddTestAuthorization();
    }

    [Fact]
    public async Task An_oauth_1_integration_shows_its_link_values_again_but_never_its_private_key()
    {
        var pair = OAuth1KeyPair.Generate();
        var keys = new OAuth1Keys(OAuth1ConsumerKey.Generate(), pair.PublicKeyPem, pair.PrivateKeyPem);
        var service = Ctx.Services.GetRequiredService<IntegrationService>();
        var administrator = await Ctx.Services.AdministratorAsync();
        Auth.SignInAs(administrator);
        var created = await service.CreateAsync(administrator, new NewIntegration(Guid.NewGuid(), "Old Bitbucket", BitbucketServerPlatform.KindOf.Key,
            "https://old.example.com", "7.17.0", OAuthVersion.OAuth1, "", "", keys));
        Assert.True(created.Value.Succeeded);
        var page = Ctx.Render<Integrations>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button[aria-label='Show keys of Old Bitbucket']")));

        page.Find("button[aria-label='Show keys of Old Bitbucket']").Click();

        page.WaitForAssertion(() => Assert.Equal(keys.ConsumerKey, page.Find("input#oauth1-consumer-key").GetAttribute("value")));
        Assert.Equal("https://portal.example.com", page.Find("input#oauth1-application-url").GetAttribute("value"));
        Assert.Contains("BEGIN PUBLIC KEY", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", page.Markup, StringComparison.Ordinal);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        database.Dispose();
    }
}
