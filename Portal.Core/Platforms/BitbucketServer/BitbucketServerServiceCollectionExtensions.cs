using System.Net;
using System.Net.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Core.OAuth;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Core.Security;

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
        services.AddOptions<BitbucketClientOptions>()
            .BindConfiguration(BitbucketClientOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHttpClient<BitbucketVersionProbe>().UseBitbucketServerHandler();
        services.AddHttpClient<BitbucketIdentityClient>().UseBitbucketServerHandler().ConfigureHttpClient(c => c.Timeout = OAuthCallTimeout);
        services.AddTransient<IPlatform, BitbucketServerPlatform>();
        services.TryAddScoped<PlatformCatalog>();
        services.AddHttpClient<OAuth1Client>().UseBitbucketServerHandler().ConfigureHttpClient(c => c.Timeout = OAuthCallTimeout);
        services.AddScoped<OAuth1SignInProtocol>();
        services.AddTransient<ISignInProtocol>(sp => sp.GetRequiredService<OAuth1SignInProtocol>());
        return services;
    }

    /// <summary>
    /// Makes a client talk to Bitbucket the way the portal must: redirects are never followed, no cookies, https
    /// certificates are also trusted when they chain to <see cref="BitbucketClientOptions.TrustedCaFile"/> or to the
    /// certificate the calling integration trusts (<see cref="OutboundTrust"/>), and
    /// connections to link-local addresses are refused after DNS resolution (<see cref="OutboundAddressGuard"/>).
    /// Timeouts are per call (the client's own timeout is switched off).
    /// </summary>
    public static IHttpClientBuilder UseBitbucketServerHandler(this IHttpClientBuilder builder)
    {
        builder.ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        // One guard for every client; a test registers its own (with a fake resolver) to see the rule at work.
        builder.Services.TryAddSingleton(new OutboundAddressGuard());
        builder.ConfigurePrimaryHttpMessageHandler(services =>
        {
            var options = services.GetRequiredService<IOptions<BitbucketClientOptions>>().Value;
            var guard = services.GetRequiredService<OutboundAddressGuard>();
            return new TrustRoutingHandler(trust =>
            {
                var validator = BitbucketServerCertificateValidator.FromOptions(options, trust);
                return new SocketsHttpHandler
                {
                    ConnectCallback = guard.ConnectAsync,
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    AutomaticDecompression = DecompressionMethods.All,
                    SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = validator.Validate },
                };
            });
        });
        return builder;
    }
}
