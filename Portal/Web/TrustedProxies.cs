using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;

namespace Portal.Web;

internal static class TrustedProxies
{
    /// <summary>X-Forwarded-For and X-Forwarded-Proto count only from the proxies in <c>Portal:TrustedProxies</c>.</summary>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<PortalOptions>>((o, portal) =>
        {
            // The framework trusts loopback out of the box; the portal trusts exactly the configured list.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var network in portal.Value.TrustedProxyNetworks)
            {
                o.KnownIPNetworks.Add(network);
            }
            // With both lists empty the middleware would believe everybody, so an empty list turns the headers off:
            // nobody's forwarded headers count then, not even those of a process on the same machine (this also holds
            // when ASPNETCORE_FORWARDEDHEADERS_ENABLED adds the middleware on its own).
            o.ForwardedHeaders = o.KnownIPNetworks.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // X-Forwarded-For is read from the right through every trusted proxy (for chains of proxies) and stops at the
            // first address that is not one, so what a client writes into the header itself is never believed.
            o.ForwardLimit = null;
        });
        return services;
    }
}
