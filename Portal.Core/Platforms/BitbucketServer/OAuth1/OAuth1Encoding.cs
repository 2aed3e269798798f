using System.Text;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// RFC 5849 section 3.6 percent-encoding: UTF-8 bytes, everything outside the RFC 3986 unreserved set
/// (<c>A-Z a-z 0-9 - . _ ~</c>) escaped as <c>%XX</c> with uppercase hex.
/// </summary>
public static class OAuth1Encoding
{
    private const string HexDigits = "0123456789ABCDEF";

    /// <summary>Percent-encodes <paramref name="value"/> for signature base strings and Authorization headers.</summary>
    public static string PercentEncode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = Encoding.UTF8.GetBytes(value);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (IsUnreserved(b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    /// <summary>Decodes <c>%XX</c> escapes (UTF-8); a <c>+</c> stays a plus, as in Authorization header values.</summary>
    public static string PercentDecode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Uri.UnescapeDataString(value);
    }

    /// <summary>Decodes an <c>application/x-www-form-urlencoded</c> name or value: <c>+</c> is a space, then <c>%XX</c> escapes.</summary>
    public static string FormDecode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Uri.UnescapeDataString(value.Replace('+', ' '));
    }

    private static bool IsUnreserved(byte b) =>
        b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~';
}
