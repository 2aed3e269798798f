using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Configuration;

/// <summary>Reads one entry of <c>Portal:TrustedProxies</c>: an IPv4 or IPv6 address, or a network in CIDR notation.</summary>
public static class TrustedProxyEntry
{
    private const string Examples = "e.g. 127.0.0.1, 10.0.0.0/8, ::1 or fd00::/8";

    /// <summary>
    /// Parses <paramref name="entry"/>; a single address becomes a network of just that address. On failure
    /// <paramref name="problem"/> says what is wrong with it and what to write instead, ready to follow the key's name.
    /// </summary>
    public static bool TryParse(string? entry, out IPNetwork network, [NotNullWhen(false)] out string? problem)
    {
        network = default;
        var text = entry?.Trim() ?? "";
        if (text.Length == 0)
        {
            problem = $"is empty: list the address or network of each reverse proxy in front of the portal ({Examples}), or leave the list empty when there is none.";
            return false;
        }
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal)
            || (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        {
            problem = $"'{text}' is not an IP address or CIDR network: write your reverse proxy's address or network, {Examples}.";
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > maxPrefix))
        {
            problem = $"'{text}' has no valid prefix length: after the slash write a number from 1 to {maxPrefix}, {Examples}.";
            return false;
        }
        if (prefix == 0)
        {
            problem = $"'{text}' would trust every address, so any client could claim any address and scheme: list only your reverse proxies' addresses or networks, {Examples}.";
            return false;
        }
        var first = FirstAddress(address, prefix);
        if (!first.Equals(address))
        {
            problem = $"'{text}' is not the start of a /{prefix} network: write {first}/{prefix} for that network, or the proxy's own address without a prefix.";
            return false;
        }
        network = new IPNetwork(address, prefix);
        problem = null;
        return true;
    }

    private static IPAddress FirstAddress(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        return new IPAddress(bytes);
    }
}
