using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Platforms.GitLabSelfManaged;

// The composition root of the platforms: in the root namespace (it may name every platform, and nothing below the root
// depends on it), but in this folder, so that every file naming a platform lives under Platforms/.
namespace Portal.Core;

/// <summary>The one place that lists the platforms; the wizard offers them in this order.</summary>
public static class PlatformsServiceCollectionExtensions
{
    public static IServiceCollection AddPlatforms(this IServiceCollection services) =>
        services
            .AddBitbucketServerPlatform()
            .AddGitLabSelfManagedPlatform();
}
