using System.Net;
using System.Net.Sockets;
using System.Text;
using Portal.Core.Connections;

namespace Portal.Tests.Core;

/// <summary>An outbound proxy that wants credentials, as an https request through it meets it: at the CONNECT, not as a response.</summary>
public sealed class ProxyTunnelFailureTests
{
    [Fact]
    public async Task A_proxy_that_answers_CONNECT_with_407_is_named_with_the_fix()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var proxy = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var read = 0;
            while (!Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                read += await stream.ReadAsync(buffer.AsMemory(read));
            }
            await stream.WriteAsync("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        });
        using var http = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}"), UseProxy = true });
        var uri = new Uri("https://bitbucket.example.com/rest/api/1.0/application-properties");

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(uri));
        var described = ConnectionFailures.Describe(uri, failure, TimeSpan.FromSeconds(5), new ServerConnectionOptions(), "Bitbucket");
        await proxy;

        Assert.Equal(HttpRequestError.ProxyTunnelError, failure.HttpRequestError);
        Assert.Contains("put its credentials in the portal's HTTPS_PROXY setting", described.Message, StringComparison.Ordinal);
    }
}
