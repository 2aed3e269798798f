using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Platforms.GitLabSelfManaged;

namespace Portal.Core.Platforms;

/// <summary>The one place that lists the platforms; the wizard offers them in this order.</summary>
public static class PlatformsServiceCollectionExtensions
{
    public static IServiceCollection AddPlatforms(this IServiceCollection services) =>
        services
            .AddBitbucketServerPlatform()
            .AddGitLabSelfManagedPlatform();
}
