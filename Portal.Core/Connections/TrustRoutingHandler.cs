using System.Collections.Concurrent;
using Portal.Core.Security;

namespace Portal.Core.Connections;

/// <summary>
/// Sends each request through a handler made for the trust in force (<see cref="OutboundTrust.Current"/>): one
/// connection pool per trusted certificate, so a connection accepted under one integration's trust is never reused
/// by a request of an integration (or a live check) without it.
/// </summary>
public sealed class TrustRoutingHandler(Func<OutboundTrust?, HttpMessageHandler> create) : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Lazy<HttpMessageInvoker>> routes = new(StringComparer.Ordinal);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var trust = OutboundTrust.Current;
        var route = routes.GetOrAdd(trust?.Key ?? "", _ => new Lazy<HttpMessageInvoker>(() => new HttpMessageInvoker(create(trust), disposeHandler: true)));
        return route.Value.SendAsync(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var route in routes.Values.Where(r => r.IsValueCreated))
            {
                route.Value.Dispose();
            }
            routes.Clear();
        }
        base.Dispose(disposing);
    }
}
