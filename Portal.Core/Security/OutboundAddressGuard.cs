using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Security;

/// <summary>
/// Resolves the host names the portal connects to (integrations' servers, for every request and for the status checks) and
/// refuses link-local results (<see cref="LinkLocalAddresses"/>) after resolution, so a name that resolves to
/// 169.254.169.254 is refused like the address itself. Checked at connect time, so a DNS answer that changes after
/// the base URL was checked is caught too.
/// </summary>
/// <param name="resolve">How names are resolved; the system's DNS unless a test supplies another.</param>
public sealed class OutboundAddressGuard(Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> resolve = resolve ?? Dns.GetHostAddressesAsync;

    /// <summary>The addresses of <paramref name="host"/> (an IP literal is its own address). DNS failures throw <see cref="SocketException"/>.</summary>
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        // WaitAsync: on Linux a lookup already under way ignores the token, and a resolver that drops queries takes tens of seconds.
        return IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await resolve(host, cancellationToken).WaitAsync(cancellationToken);
    }

    /// <summary>The first address among <paramref name="addresses"/> the portal refuses (<see cref="LinkLocalAddresses.IsRefused"/>), or <c>null</c>.</summary>
    public static IPAddress? FindRefused(IEnumerable<IPAddress> addresses) => addresses.FirstOrDefault(LinkLocalAddresses.IsRefused);

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, refuses it with
    /// <see cref="LinkLocalAddressRefusedException"/> when any of its addresses is link-local (no connection is
    /// attempted then), and otherwise connects over TCP as the handler would.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.DnsEndPoint;
        var addresses = await ResolveAsync(endpoint.Host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }
        // All or nothing: a name that also resolves to a metadata address is not trusted for its other addresses.
        if (FindRefused(addresses) is { } refused)
        {
            throw new LinkLocalAddressRefusedException(endpoint.Host, refused);
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
