using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;

namespace Portal.Web;

/// <summary>Readable pages for failures: the error page for exceptions, a page per status code for 4xx/5xx without a body.</summary>
internal static class ErrorPages
{
    public const string ExceptionPath = "/Error";

    /// <summary>The status code page's route; <c>{0}</c> is the code.</summary>
    public const string StatusPathFormat = "/error/{0}";

    internal const string OriginalMethodKey = "Portal.ErrorPages.OriginalMethod";

    public static void UseErrorPages(this WebApplication app)
    {
        // Never the developer exception page: no stack trace reaches a browser in any environment.
        app.UseExceptionHandler(ExceptionPath, createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute(StatusPathFormat, createScopeForStatusCodePages: true);
        app.Use(RenderErrorPagesAsGetAsync);
        // Routing after the rewrite above, so an error page re-executed for a POST is matched as the GET it now is.
        app.UseRouting();
    }

    /// <summary>
    /// After UseAntiforgery: a form post without a valid antiforgery token (an expired form, or one from another site)
    /// goes no further and gets the 400 page, instead of an exception from form binding or a blank 400 from a page.
    /// </summary>
    public static void UseAntiforgeryFailurePage(this WebApplication app) => app.Use((http, next) =>
    {
        // GET and HEAD: the error page re-executed for that very post still carries its failed validation.
        if (http.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: false } || HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        {
            return next(http);
        }
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Forms").LogInformation(
            "A form post to {Path} was refused: its antiforgery token is missing or invalid (an expired form, or one sent from another site).",
            http.Request.Path.Value);
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        return Task.CompletedTask;
    });

    /// <summary>The method of the request an error page is shown for (a form post that failed is re-executed as a GET).</summary>
    public static string MethodOf(HttpContext http) => http.Items[OriginalMethodKey] as string ?? http.Request.Method;

    // Error pages are Razor pages, and a POST re-executed to a Razor page is taken for a form submission to that page
    // (antiforgery check, form handler lookup) and fails without a page. Rendering them as a GET shows the page.
    private static async Task RenderErrorPagesAsGetAsync(HttpContext http, RequestDelegate next)
    {
        var reExecuted = http.Features.Get<IStatusCodeReExecuteFeature>() is not null || http.Features.Get<IExceptionHandlerFeature>() is not null;
        var method = http.Request.Method;
        if (!reExecuted || HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            await next(http);
            return;
        }
        http.Items[OriginalMethodKey] = method;
        http.Request.Method = HttpMethods.Get;
        http.SetEndpoint(null);
        http.Request.RouteValues.Clear();
        try
        {
            await next(http);
        }
        finally
        {
            http.Request.Method = method;
        }
    }
}
