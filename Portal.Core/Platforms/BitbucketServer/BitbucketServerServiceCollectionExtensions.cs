using Portal.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Connections;
using Portal.Core.OAuth;
using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>Registers the Bitbucket Data Center / Server platform.</summary>
public static class BitbucketServerServiceCollectionExtensions
{
    private static readonly TimeSpan OAuthCallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Binds <see cref="BitbucketClientOptions"/> to the <c>Bitbucket</c> section (validated at start) and registers
    /// the platform, its typed clients and its OAuth 1 sign-in protocol.
    /// </summary>
    public static IServiceCollection AddBitbucketServerPlatform(this IServiceCollection services)
    {
        services.AddSettings<BitbucketClientOptions>(BitbucketClientOptions.Section, "TrustedCaFile", "ProbeTimeout");
        // Before GitLab joined, the connection settings lived in the Bitbucket section; configurations written then keep working.
        services.AddOptions<ServerConnectionOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            if (string.IsNullOrEmpty(configuration[$"{ServerConnectionOptions.Section}:TrustedCaFile"]) && configuration["Bitbucket:TrustedCaFile"] is { Length: > 0 } trustedCaFile)
            {
                options.TrustedCaFile = trustedCaFile;
            }
            if (string.IsNullOrEmpty(configuration[$"{ServerConnectionOptions.Section}:ProbeTimeout"]) && configuration["Bitbucket:ProbeTimeout"] is { Length: > 0 } timeout
                && TimeSpan.TryParse(timeout, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                options.ProbeTimeout = parsed;
            }
        });
        services.AddHttpClient<BitbucketVersionProbe>().UseServerHandler();
        // The client bounds its calls itself: the user search as a whole by Bitbucket:UserSearchTimeout, which may be longer
        // than any one call's limit here would allow a slow page.
        services.AddHttpClient<BitbucketIdentityClient>().UseServerHandler().ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPlatform, BitbucketServerPlatform>());
        if (!services.Any(d => !d.IsKeyedService && ReferenceEquals(d.ImplementationInstance, BitbucketServerPlatform.KindOf)))
        {
            services.AddSingleton(BitbucketServerPlatform.KindOf);
        }
        services.TryAddScoped<PlatformCatalog>();
        services.AddHttpClient<OAuth1Client>().UseServerHandler().ConfigureHttpClient(c => c.Timeout = OAuthCallTimeout);
        services.AddScoped<OAuth1SignInProtocol>();
        services.AddTransient<ISignInProtocol>(sp => sp.GetRequiredService<OAuth1SignInProtocol>());
        return services;
    }
}
