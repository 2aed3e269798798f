using Portal.Core.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Platforms.GitLabSelfManaged;

namespace Portal.Tests.Infrastructure;

/// <summary>The platform registrations a hand-built service collection needs (the options are registered by the test).</summary>
public static class TestPlatforms
{
    public static IServiceCollection AddBitbucketPlatformForTests(this IServiceCollection services)
    {
        services.TryAddSingleton(Options.Create(new ServerConnectionOptions()));
        services.TryAddSingleton(Options.Create(new BitbucketClientOptions()));
        services.AddHttpClient<BitbucketVersionProbe>().UseServerHandler();
        services.AddHttpClient<BitbucketIdentityClient>().UseServerHandler();
        services.AddTransient<IPlatform, BitbucketServerPlatform>();
        services.TryAddScoped<PlatformCatalog>();
        return services;
    }

    /// <summary>Both platforms, as the portal registers them, for hand-built service collections.</summary>
    public static IServiceCollection AddPlatformsForTests(this IServiceCollection services)
    {
        services.AddBitbucketPlatformForTests();
        services.AddHttpClient<GitLabDiscovery>().UseServerHandler()
            .AddTypedClient((http, sp) => new GitLabDiscovery(http, sp.GetRequiredService<IOptions<ServerConnectionOptions>>().Value.ProbeTimeout));
        services.AddHttpClient<GitLabApiReader>().UseServerHandler().AddTypedClient((http, _) => new GitLabApiReader(http));
        services.AddTransient<IPlatform, GitLabSelfManagedPlatform>();
        return services;
    }

    /// <summary>A catalog with Bitbucket only, for tests that need the platform's rules but never call a server.</summary>
    public static PlatformCatalog BitbucketOnly() =>
        new([new BitbucketServerPlatform(new BitbucketVersionProbe(new HttpClient()), new BitbucketIdentityClient(new HttpClient(), Options.Create(new BitbucketClientOptions())))]);
}
