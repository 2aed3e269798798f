using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Diagnostics;
using Portal.Core.Persistence;
using Portal.Core.Sessions;

namespace Portal.Web;

/// <summary>
/// Every request's cookie must name a session that is still active in the database: signing out, an expired lifetime
/// or the end of Setup Mode ends it everywhere at once, including copies of the cookie.
/// </summary>
internal static class SessionCookieValidation
{
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var active = false;
        if (Guid.TryParse(context.Principal?.FindFirst(PortalClaims.Session)?.Value, out var sessionId))
        {
            var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionService>();
            SessionCheck check;
            try
            {
                check = await sessions.CheckAsync(sessionId, context.HttpContext.RequestAborted);
            }
            catch (Exception e) when (DatabaseFailure.Describe(e) is not null && IsErrorPage(context.HttpContext))
            {
                // The request failed on this very check and its error page is being rendered: rendered for nobody in
                // particular, it can name the database's problem. The cookie stays for when the database is back.
                context.RejectPrincipal();
                return;
            }
            active = check.IsActive;
            if (!IsLiveConnection(context.HttpContext))
            {
                await sessions.SeenAsync(sessionId, check, context.HttpContext.RequestAborted);
            }
        }
        if (!active)
        {
            context.RejectPrincipal();
            // Removes the dead cookie directly: this also runs while an error page is rendered, where signing out must not be needed.
            var cookie = context.Options.Cookie;
            context.Options.CookieManager.DeleteCookie(context.HttpContext, cookie.Name!, cookie.Build(context.HttpContext));
        }
    }

    /// <summary>
    /// A page's live connection: without WebSockets (a proxy that does not pass them) Blazor falls back to long polling,
    /// a request at least every 90 seconds for as long as the page is open, which would keep an unattended page's session from ever
    /// going idle. The page's own request counted already.
    /// </summary>
    private static bool IsLiveConnection(HttpContext http) => http.Request.Path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase);

    private static bool IsErrorPage(HttpContext http) =>
        http.Features.Get<IExceptionHandlerFeature>() is not null || http.Features.Get<IStatusCodeReExecuteFeature>() is not null;
}
