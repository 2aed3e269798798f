namespace Portal.Web;

/// <summary>The security headers every response carries: pages, endpoints, static files, redirects and error pages.</summary>
internal static class SecurityHeaders
{
    /// <summary>HSTS lifetime: a year, the common recommendation; browsers renew it on every visit.</summary>
    public const string StrictTransportSecurity = "max-age=31536000";

    private const string ImageSourcesKey = "Portal.SecurityHeaders.ImageSources";

    // Scripts only from the portal's own files: no inline script (App.razor renders no import map), no eval.
    // Styles need 'unsafe-inline': MudBlazor renders style="" attributes on its components and a <style> element with
    // the theme's CSS variables, and its JavaScript positions popovers through style attributes.
    // No form-action: Chromium applies it to the redirects that follow a form post, and signing in leaves for the code host.
    // img-src: the portal's own images plus data: URIs (MudBlazor's CSS); a page showing a user's avatar adds that
    // avatar's origin for its own response only (AllowImagesFrom).
    private const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    private const string ImageSources = "img-src 'self' data:";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        // Set as the response starts, so the exception handler (which clears headers) and every other path keeps them.
        http.Response.OnStarting(static state => Apply((HttpContext)state), http);
        return next(http);
    });

    /// <summary>Lets the page of this response show images from the origin of <paramref name="imageUrl"/> (a user's avatar from the code host).</summary>
    public static void AllowImagesFrom(HttpContext http, string imageUrl)
    {
        if (!Uri.TryCreate(imageUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return;
        }
        var origins = http.Items[ImageSourcesKey] as HashSet<string> ?? [];
        origins.Add(uri.GetLeftPart(UriPartial.Authority));
        http.Items[ImageSourcesKey] = origins;
    }

    private static Task Apply(HttpContext http)
    {
        var headers = http.Response.Headers;
        var images = http.Items[ImageSourcesKey] is HashSet<string> origins ? $"{ImageSources} {string.Join(' ', origins)}" : ImageSources;
        // Replaces the frame-ancestors-only policy Blazor sets on its pages.
        headers.ContentSecurityPolicy = $"{Policy}; {images}";
        headers.XContentTypeOptions = "nosniff";
        // Callback and setup URLs carry one-time values: no Referer takes them to another site.
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        if (http.Request.IsHttps && PortalCookies.Of(http).HttpsOnly)
        {
            // Also for localhost and IP addresses: the operator chose https for this address.
            headers.StrictTransportSecurity = StrictTransportSecurity;
        }
        return Task.CompletedTask;
    }
}
