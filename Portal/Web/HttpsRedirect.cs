using Microsoft.Extensions.Options;
using Portal.Core.Configuration;

namespace Portal.Web;

internal static class HttpsRedirect
{
    /// <summary>
    /// Under an https <c>Portal:PublicUrl</c>, answers plain-http requests with 308 to the same path and query on the public
    /// URL; the target is never built from the Host header. /healthz stays reachable over http for monitors and load balancers.
    /// </summary>
    public static IApplicationBuilder UseHttpsRedirectToPublicUrl(this IApplicationBuilder app)
    {
        var warned = new LogThrottle(TimeSpan.FromMinutes(1));
        return app.Use((http, next) =>
        {
            var options = http.RequestServices.GetRequiredService<IOptions<PortalOptions>>().Value;
            if (http.Request.IsHttps || !options.UsesHttps || http.Request.Path.StartsWithSegments(PortalWebExtensions.HealthPath))
            {
                return next(http);
            }
            if (http.Request.Headers["X-Forwarded-Proto"].ToString().Contains("https", StringComparison.OrdinalIgnoreCase))
            {
                // A proxy that terminates TLS but is not trusted: redirecting would send the browser round in circles.
                return RefuseUntrustedProxyAsync(http, warned);
            }
            http.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            http.Response.Headers.Location = options.NormalizedPublicUrl + http.Request.Path.ToUriComponent() + http.Request.QueryString.ToUriComponent();
            return Task.CompletedTask;
        });
    }

    private static Task RefuseUntrustedProxyAsync(HttpContext http, LogThrottle warned)
    {
        if (warned.Due())
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.ReverseProxy").LogWarning(
                "A request from {RemoteAddress} says it arrived over https (X-Forwarded-Proto), but that address is not in Portal:TrustedProxies, " +
                "so the portal treats the request as plain http and would redirect it to {PublicUrl} again and again. Fix: add the reverse " +
                "proxy's address as the portal sees it ({RemoteAddress}) to Portal:TrustedProxies, then restart. (Logged at most once a minute.)",
                http.Connection.RemoteIpAddress?.ToString(), http.RequestServices.GetRequiredService<IOptions<PortalOptions>>().Value.NormalizedPublicUrl,
                http.Connection.RemoteIpAddress?.ToString());
        }
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(
            "The portal cannot serve this request: it came through a reverse proxy that the portal has not been told to trust, so the " +
            "portal cannot tell that it arrived over https (redirecting it would loop). An administrator must add the proxy's address " +
            "to Portal:TrustedProxies; the portal's log names that address.");
    }
}
