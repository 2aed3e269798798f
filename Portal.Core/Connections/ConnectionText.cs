using System.Globalization;

namespace Portal.Core.Connections;

/// <summary>How connection messages write a server's address and a timeout.</summary>
public static class ConnectionText
{
    /// <summary><c>host:port</c> as the URL names the host.</summary>
    public static string HostAndPort(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return string.Create(CultureInfo.InvariantCulture, $"{uri.Host}:{uri.Port}");
    }

    /// <summary>"1 second", "2.5 seconds".</summary>
    public static string Seconds(TimeSpan timeout) =>
        timeout.TotalSeconds == 1 ? "1 second" : $"{timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} seconds";

    /// <summary>
    /// An answer whose Content-Encoding could not be undone (automatic decompression threw InvalidDataException), up to
    /// the fix; the caller adds what to do next.
    /// </summary>
    public static string DamagedCompression(Uri uri, string serverName) =>
        $"The server's answer at {uri.AbsolutePath} says it is compressed (Content-Encoding) but cannot be decompressed: a proxy in front of {serverName} probably damaged or mislabelled it. Check the proxy's compression settings";
}
