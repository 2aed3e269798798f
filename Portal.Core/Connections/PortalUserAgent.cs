using System.Net.Http.Headers;

namespace Portal.Core.Connections;

/// <summary>
/// The User-Agent of the portal's calls to integrations' servers. Web application firewalls and proxies in front of
/// a code host often refuse requests without one, and the server's access log then tells its administrator which
/// requests are the portal's.
/// </summary>
public static class PortalUserAgent
{
    public const string ProductName = "IntegrationPortal";

    public static ProductInfoHeaderValue Product { get; } = new(ProductName, Version());

    private static string Version()
    {
        var version = typeof(PortalUserAgent).Assembly.GetName().Version ?? new Version(1, 0, 0);
        return $"{version.Major}.{version.Minor}.{Math.Max(version.Build, 0)}";
    }
}
