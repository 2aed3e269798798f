using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Core.Connections;

namespace Portal.Core.Platforms.GitLabSelfManaged;

/// <summary>Registers the GitLab Self-Managed platform.</summary>
public static class GitLabSelfManagedServiceCollectionExtensions
{
    private static readonly TimeSpan ApiCallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Registers the platform and its typed clients (detection waits <see cref="ServerConnectionOptions.ProbeTimeout"/>).</summary>
    public static IServiceCollection AddGitLabSelfManagedPlatform(this IServiceCollection services)
    {
        services.AddHttpClient<GitLabDiscovery>().UseServerHandler()
            .AddTypedClient((http, sp) => new GitLabDiscovery(http, sp.GetRequiredService<IOptions<ServerConnectionOptions>>().Value.ProbeTimeout));
        services.AddHttpClient<GitLabApiReader>().UseServerHandler()
            .AddTypedClient((http, _) => new GitLabApiReader(http, ApiCallTimeout));
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPlatform, GitLabSelfManagedPlatform>());
        if (!services.Any(d => !d.IsKeyedService && ReferenceEquals(d.ImplementationInstance, GitLabSelfManagedPlatform.KindOf)))
        {
            services.AddSingleton(GitLabSelfManagedPlatform.KindOf);
        }
        services.TryAddScoped<PlatformCatalog>();
        return services;
    }
}
