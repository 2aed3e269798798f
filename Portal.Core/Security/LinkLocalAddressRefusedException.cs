using System.Net;

namespace Portal.Core.Security;

/// <summary>
/// Thrown by <see cref="OutboundAddressGuard"/> instead of connecting to a link-local address; its message names the
/// host, the address, why it is refused and what to do. HttpClient wraps it in an <see cref="HttpRequestException"/>.
/// </summary>
public sealed class LinkLocalAddressRefusedException : IOException
{
    public LinkLocalAddressRefusedException(string host, IPAddress address)
        : base(LinkLocalAddresses.ResolvedRefusal(host, address))
    {
        Host = host;
        Address = address;
    }

    public LinkLocalAddressRefusedException()
        : this("", IPAddress.None)
    {
    }

    public LinkLocalAddressRefusedException(string message)
        : base(message)
    {
        Host = "";
        Address = IPAddress.None;
    }

    public LinkLocalAddressRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Host = "";
        Address = IPAddress.None;
    }

    /// <summary>The host name (or address) the request was for.</summary>
    public string Host { get; }

    /// <summary>The link-local address it resolved to.</summary>
    public IPAddress Address { get; }

    /// <summary>The refusal somewhere in <paramref name="exception"/>'s chain of inner exceptions, or <c>null</c>.</summary>
    public static LinkLocalAddressRefusedException? FindIn(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is LinkLocalAddressRefusedException refused)
            {
                return refused;
            }
        }
        return null;
    }
}
