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
}
