using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Security;

/// <summary>
/// Link-local addresses (169.254.0.0/16 and fe80::/10, also written as IPv4 inside IPv6) are where cloud platforms
/// serve their instance metadata, credentials included (169.254.169.254). A base URL is typed by an administrator, but
/// the portal calls it from its own server, so it never connects to such an address, whatever name leads there. Amazon
/// EC2 serves the same metadata over IPv6 at fd00:ec2::254, inside the unique-local range on-premises networks use, so
/// that one address is refused and the rest of fd00::/8 is not.
/// </summary>
public static class LinkLocalAddresses
{
    /// <summary>The ranges, as messages name them.</summary>
    public const string Ranges = "169.254.0.0/16, fe80::/10";

    /// <summary>Amazon EC2's IPv6 instance metadata service.</summary>
    public static readonly IPAddress AmazonIPv6Metadata = IPAddress.Parse("fd00:ec2::254");

    /// <summary>Whether the portal refuses to connect to <paramref name="address"/>: a link-local or an instance metadata address.</summary>
    public static bool IsRefused(IPAddress address) => IsLinkLocal(address) || IsInstanceMetadata(address);

    /// <summary>Whether <paramref name="address"/> is a cloud's instance metadata address outside the link-local ranges.</summary>
    public static bool IsInstanceMetadata(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetworkV6 && new IPAddress(address.GetAddressBytes()).Equals(AmazonIPv6Metadata);
    }

    /// <summary>Whether <paramref name="address"/> is link-local, also as an IPv4-mapped, IPv4-compatible or NAT64 (64:ff9b::/96) IPv6 address.</summary>
    public static bool IsLinkLocal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = address.GetAddressBytes();
            return bytes[0] == 169 && bytes[1] == 254;
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }
        if (address.IsIPv6LinkLocal || address.IsIPv4MappedToIPv6 && IsLinkLocal(address.MapToIPv4()))
        {
            return true;
        }
        var v6 = address.GetAddressBytes();
        var embeddedV4 = v6.AsSpan(12);
        var isCompatible = v6.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;
        var isNat64 = v6.AsSpan(0, 12).SequenceEqual(Nat64Prefix);
        return (isCompatible || isNat64) && embeddedV4[0] == 169 && embeddedV4[1] == 254;
    }

    /// <summary>Why the portal does not connect to <paramref name="address"/>, for a base URL that names it directly.</summary>
    public static string LiteralRefusal(IPAddress address) =>
        $"{address} is {Describe(address)}, where cloud platforms serve instance metadata and credentials, so the portal never connects to it: enter the address the server is served at, e.g. https://git.example.com.";

    /// <summary>Why the portal does not connect to <paramref name="host"/>, which resolved to <paramref name="address"/>.</summary>
    public static string ResolvedRefusal(string host, IPAddress address) =>
        $"The portal refused to connect to {host}: it resolves to {address}, {Describe(address)}, where cloud platforms serve instance metadata and credentials. Enter the address the server is served at; if {host} is the server's name, correct its DNS record.";

    private static string Describe(IPAddress address) =>
        IsInstanceMetadata(address) ? "Amazon EC2's IPv6 instance metadata address" : $"a link-local address ({Ranges})";

    private static readonly byte[] Nat64Prefix = [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];
}
