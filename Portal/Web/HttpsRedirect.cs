using Microsoft.Extensions.Options;
using Portal.Core.Configuration;

namespace Portal.Web;

internal static class HttpsRedirect
{
    /// <summary>
    /// Under an https <c>Portal:PublicUrl</c>, answers plain-http requests with 308 to the same path and query on the public
    /// URL; the target is never built from the Host header. /healthz stays reachable over http for monitors and load balancers.
    /// </summary>
    public static IApplicationBuilder UseHttpsRedirectToPublicUrl(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        var options = http.RequestServices.GetRequiredService<IOptions<PortalOptions>>().Value;
        if (http.Request.IsHttps || !options.UsesHttps || http.Request.Path.StartsWithSegments(PortalWebExtensions.HealthPath))
        {
            return next(http);
        }
        http.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
        http.Response.Headers.Location = options.NormalizedPublicUrl + http.Request.Path.ToUriComponent() + http.Request.QueryString.ToUriComponent();
        return Task.CompletedTask;
    });
}
