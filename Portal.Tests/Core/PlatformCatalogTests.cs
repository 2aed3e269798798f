using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Connections;
using Portal.Core.Platforms;

namespace Portal.Tests.Core;

public sealed class PlatformCatalogTests
{
    [Fact]
    public void The_wizard_offers_the_platforms_in_registration_order_and_registering_them_twice_lists_each_once()
    {
        var services = new ServiceCollection().AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddServerConnections().AddPlatforms().AddPlatforms();
        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();

        var catalog = scope.ServiceProvider.GetRequiredService<PlatformCatalog>();

        Assert.Equal(["bitbucket-server", "gitlab-self-managed"], catalog.All.Select(p => p.Kind.Key));
        Assert.Equal(2, provider.GetServices<PlatformKind>().Count());
        Assert.Null(catalog.Find("retired-platform"));
        Assert.Equal("retired-platform", catalog.DisplayNameOf("retired-platform"));
        Assert.Contains("not offered by this portal", PlatformCatalog.Unknown("retired-platform"), StringComparison.Ordinal);
    }
}
