using Portal.Core.Connections;
using Bunit;
using Microsoft.AspNetCore.Components.Server.ProtectedBrowserStorage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;
using Portal.Features.Integrations.Wizard;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Wizard;

/// <summary>The wizard's components over the real draft state, probe, validator and a real SQLite database.</summary>
public abstract class WizardTestBase : MudTestBase
{
    public const string PublicUrl = "https://portal.example.com";
    protected readonly TestDatabase Database = new();
    private readonly List<BitbucketFake> fakes = [];

    protected override void ConfigureServices(IServiceCollection services)
    {
        Database.Register(services, null, DatabaseInterceptors);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton(Options.Create(new PortalOptions { PublicUrl = PublicUrl }));
        services.AddSingleton(Options.Create(new ServerConnectionOptions { ProbeTimeout = TimeSpan.FromSeconds(2) }));
        services.AddPlatformsForTests();
        services.AddScoped<IntegrationValidator>();
        services.AddScoped<IntegrationService>();
        services.AddScoped(sp => new BaseUrlCheck(sp.GetRequiredService<PlatformCatalog>(), TimeProvider.System, sp.GetRequiredService<ILogger<BaseUrlCheck>>())
        {
            Debounce = TimeSpan.FromMilliseconds(50),
        });
        services.AddScoped<IntegrationDraft>();
        services.AddSingleton<OAuth1KeyDrafts>();
        services.AddScoped<ProtectedSessionStorage>();
        services.AddTestAuthorization();
    }

    /// <summary>What the database does besides answering, e.g. <see cref="YieldingConnections"/>.</summary>
    protected virtual Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] DatabaseInterceptors => [];

    public override async Task InitializeAsync() => Auth.SignInAs(await Ctx.Services.AdministratorAsync());

    internal IntegrationDraft Draft => Ctx.Services.GetRequiredService<IntegrationDraft>();

    protected async Task<BitbucketFake> StartFakeAsync(BitbucketFakeOptions? options = null)
    {
        var fake = await BitbucketFake.StartAsync(options);
        fakes.Add(fake);
        return fake;
    }

    protected static void WaitForText<T>(IRenderedComponent<T> cut, string selector, string expected) where T : Microsoft.AspNetCore.Components.IComponent =>
        cut.WaitForAssertion(() => Assert.Contains(expected, cut.Find(selector).TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var fake in fakes)
        {
            await fake.DisposeAsync();
        }
        Database.Dispose();
    }
}
