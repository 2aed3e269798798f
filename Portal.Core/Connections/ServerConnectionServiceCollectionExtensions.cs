using Portal.Core.Configuration;
using System.Net;
using System.Net.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Core.Security;

namespace Portal.Core.Connections;

/// <summary>How every typed client that calls an integration's server is built.</summary>
public static class ServerConnectionServiceCollectionExtensions
{
    /// <summary>Binds <see cref="ServerConnectionOptions"/> to the <c>Servers</c> section, validated at start.</summary>
    public static IServiceCollection AddServerConnections(this IServiceCollection services)
    {
        services.AddSettings<ServerConnectionOptions>(ServerConnectionOptions.Section);
        return services;
    }

    /// <summary>
    /// Makes a client talk to integrations' servers the way the portal must: redirects are never followed, no cookies,
    /// https certificates are also trusted when they chain to <see cref="ServerConnectionOptions.TrustedCaFile"/> or to
    /// the certificate the calling integration trusts (<see cref="OutboundTrust"/>), and connections to link-local
    /// addresses are refused after DNS resolution (<see cref="OutboundAddressGuard"/>). Timeouts are per call (the
    /// client's own timeout is switched off). Every request names the portal in its User-Agent.
    /// </summary>
    public static IHttpClientBuilder UseServerHandler(this IHttpClientBuilder builder)
    {
        builder.ConfigureHttpClient(client =>
        {
            client.Timeout = Timeout.InfiniteTimeSpan;
            client.DefaultRequestHeaders.UserAgent.Add(PortalUserAgent.Product);
        });
        // One guard for every client; a test registers its own (with a fake resolver) to see the rule at work.
        builder.Services.TryAddSingleton(new OutboundAddressGuard());
        builder.ConfigurePrimaryHttpMessageHandler(services =>
        {
            var options = services.GetRequiredService<IOptions<ServerConnectionOptions>>().Value;
            var guard = services.GetRequiredService<OutboundAddressGuard>();
            return new TrustRoutingHandler(trust =>
            {
                var validator = ServerCertificateValidator.FromOptions(options, trust);
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
