using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// HTTP clients that connect to the portal from a chosen loopback address (127.0.0.2, 127.0.0.3, …), so tests see the
/// portal tell real client addresses apart without any forwarded header. All of 127.0.0.0/8 is local on Linux.
/// </summary>
public static class LoopbackClients
{
    public static HttpClient CreateHttpClientFrom(this PortalHost host, IPAddress localAddress, CookieContainer? cookies = null)
    {
        host.Start();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = cookies ?? new CookieContainer(),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(localAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(host.BaseUrl) };
    }
}
