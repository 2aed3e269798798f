using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;

namespace Portal.Core.Setup;

/// <summary>The one-time setup link's address.</summary>
public static class SetupLinks
{
    /// <summary>The address that redeems <paramref name="token"/>, on the portal's public URL.</summary>
    public static string SetupLink(this IServiceProvider services, string token) =>
        For(services.GetRequiredService<IOptions<PortalOptions>>().Value, token);

    /// <summary>The address that redeems <paramref name="token"/>, on <paramref name="portal"/>'s public URL.</summary>
    public static string For(PortalOptions portal, string token) =>
        $"{portal.NormalizedPublicUrl}/setup?token={Uri.EscapeDataString(token)}";
}
