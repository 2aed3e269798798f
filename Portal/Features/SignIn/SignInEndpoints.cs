using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Security;
using Portal.Core.Sessions;
using Portal.Web;

namespace Portal.Features.SignIn;

/// <summary>The OAuth endpoints: they set cookies and redirect, so they are minimal APIs, not components.</summary>
internal static class SignInEndpoints
{
    public const string SignInPath = "/signin";

    public static void MapSignInEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signin/start/{integrationId:guid}", StartAsync).ExcludeFromDescription().RequireRateLimiting(RateLimits.SignInStart);
        // A verification changes what the Integrations page shows and is an administrator's action: a form post with
        // an antiforgery token, so no link on another site can start one in an administrator's name.
        app.MapPost(VerifyPathPrefix + "{integrationId:guid}", VerifyAsync).WithMetadata(new RequireAntiforgeryTokenAttribute())
            .ExcludeFromDescription().RequireRateLimiting(RateLimits.SignInStart);
        app.MapPost(VerifyPathPrefix + "{integrationId:guid}" + VerifyNewCredentialsSuffix, VerifyNewCredentialsAsync).WithMetadata(new RequireAntiforgeryTokenAttribute())
            .ExcludeFromDescription().RequireRateLimiting(RateLimits.SignInStart);
        app.MapGet(CallbackUrl.PathPrefix + "{integrationId:guid}", CallbackAsync).ExcludeFromDescription().RequireRateLimiting(RateLimits.SignInCallback);
        // Antiforgery is checked in the handler: a page left open after its session ended still signs out.
        app.MapPost("/signout", SignOutAsync).DisableAntiforgery().ExcludeFromDescription();
        // Opened as a link or typed, it gets the page that says to use the Sign out button (a GET that signed people out
        // would let any page or image on another site do it); otherwise the pages' fallback route would call it missing.
        app.MapGet("/signout", (HttpContext http) =>
        {
            http.Response.Headers.Allow = HttpMethods.Post;
            return Results.StatusCode(StatusCodes.Status405MethodNotAllowed);
        }).ExcludeFromDescription();
    }

    /// <summary>The sign-in page, keeping where the person wanted to go (a failed attempt and the next one still lead there).</summary>
    public static string SignInPathReturningTo(string? returnUrl) =>
        LocalReturnUrl.Sanitize(returnUrl) is var local && local != "/" ? $"{SignInPath}?returnUrl={Uri.EscapeDataString(local)}" : SignInPath;

    public const string VerifyPathPrefix = "/signin/verify/";
    private const string IntegrationsPath = "/integrations";

    private static async Task<IResult> StartAsync(Guid integrationId, string? returnUrl, HttpContext http, SignInService flow)
    {
        if (ToPublicUrl(http) is { } atPublicUrl)
        {
            return atPublicUrl;
        }
        var prepared = await flow.PrepareAsync(integrationId, LocalReturnUrl.Sanitize(returnUrl), AuthorizationPurpose.SignIn, http.User.ToActor(), http.RequestAborted);
        if (!prepared.Succeeded)
        {
            StatusMessage.Set(http, new StatusMessage(StatusMessage.Error, prepared.PublicMessage!));
            return Results.Redirect(SignInPathReturningTo(returnUrl));
        }
        return SendToProvider(http, prepared.Start!);
    }

    /// <summary>Marks a start already sent to the public URL once, so a proxy that hides the host cannot loop it.</summary>
    private const string AtPublicUrlMarker = "atPublicUrl";

    /// <summary>
    /// The server sends the browser back to the Callback URL, on <c>Portal:PublicUrl</c>'s host: a sign-in started on another
    /// name for the portal (an IP address, a short host name) would set its correlation cookie where the callback never
    /// sees it, and fail as coming from "another browser". Such a start moves to the public URL first, once.
    /// </summary>
    private static IResult? ToPublicUrl(HttpContext http)
    {
        var publicUrl = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Portal.Core.Configuration.PortalOptions>>().Value.NormalizedPublicUrl;
        if (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var target) || http.Request.Query.ContainsKey(AtPublicUrlMarker))
        {
            return null;
        }
        var request = http.Request;
        // A proxy's "Host $host" leaves the port out: the host name alone is then the public one. Browsers send
        // international names in their ASCII form (IdnHost); IPv6 addresses come with brackets in the Host header only.
        var host = request.Host.Host.Trim('[', ']');
        if ((string.Equals(host, target.IdnHost.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) || string.Equals(host, target.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase))
            && (request.Host.Port is null || request.Host.Port == target.Port))
        {
            return null;
        }
        var query = QueryString.FromUriComponent(request.QueryString.ToUriComponent()).Add(AtPublicUrlMarker, "1");
        return Results.Redirect(publicUrl + request.Path.ToUriComponent() + query.ToUriComponent());
    }

    /// <summary>The Verify form's field that names the Integrations page watching the verification (it opens in a new tab).</summary>
    public const string VerificationWatchField = "watch";

    /// <remarks>A post without a valid antiforgery token never gets here: it gets the 400 page (see ErrorPages).</remarks>
    private static async Task<IResult> VerifyAsync(Guid integrationId, [FromForm(Name = VerificationWatchField)] string? watch, HttpContext http, SignInService flow)
    {
        var prepared = await flow.PrepareVerificationAsync(integrationId, IntegrationsPath, watch, http.User.ToActor(), http.RequestAborted);
        if (!prepared.Succeeded)
        {
            StatusMessage.Set(http, new StatusMessage(StatusMessage.Error, VerificationMessages.NotStarted(prepared)));
            return Results.Redirect(prepared.Refusal is null ? IntegrationsPath : SignInPath);
        }
        return SendToProvider(http, prepared.Start!);
    }

    /// <summary>Appended to the verify path: the verification tests the integration's pending new credentials.</summary>
    public const string VerifyNewCredentialsSuffix = "/new-credentials";

    /// <summary>Where an integration's credentials are replaced; a verification of new ones comes back there.</summary>
    public static string CredentialsPagePath(Guid integrationId) => $"{IntegrationsPath}/{integrationId}/credentials";

    /// <remarks>Like <see cref="VerifyAsync"/>, with the pending credentials; only a success swaps them in.</remarks>
    private static async Task<IResult> VerifyNewCredentialsAsync(Guid integrationId, [FromForm(Name = VerificationWatchField)] string? watch, HttpContext http, SignInService flow)
    {
        var page = CredentialsPagePath(integrationId);
        var prepared = await flow.PrepareReplacementVerificationAsync(integrationId, page, watch, http.User.ToActor(), http.RequestAborted);
        if (!prepared.Succeeded)
        {
            StatusMessage.Set(http, new StatusMessage(StatusMessage.Error, VerificationMessages.NotStarted(prepared)));
            return Results.Redirect(prepared.Refusal is null ? page : SignInPath);
        }
        return SendToProvider(http, prepared.Start!);
    }

    private static IResult SendToProvider(HttpContext http, AuthorizationStart start)
    {
        // One cookie per sign-in in flight, so two tabs signing in at once do not undo each other. Path "/" (not the
        // callback's path) because the __Host- prefix under https requires it.
        var cookies = PortalCookies.Of(http);
        var options = cookies.For(http);
        // Max-Age, not Expires: a browser whose clock runs ahead would drop an Expires date at once, and every sign-in from
        // it would fail as coming from "another browser".
        options.MaxAge = PendingAuthorizationStore.Lifetime;
        http.Response.Cookies.Append(CorrelationCookieName(cookies, start.Correlation), start.Correlation, options);
        return Results.Redirect(start.AuthorizeUrl);
    }

    private static string CorrelationCookieName(PortalCookies cookies, string correlation) => cookies.CorrelationPrefix + correlation[..12];

    private static async Task<IResult> CallbackAsync(Guid integrationId, string? state, string? code, string? error,
        [FromQuery(Name = "error_description")] string? errorDescription,
        [FromQuery(Name = "oauth_token")] string? oauthToken, [FromQuery(Name = "oauth_verifier")] string? oauthVerifier, HttpContext http, SignInService flow)
    {
        http.Response.Headers.CacheControl = "no-store";
        var cookies = PortalCookies.Of(http);
        var correlations = http.Request.Cookies.Where(c => c.Key.StartsWith(cookies.CorrelationPrefix, StringComparison.Ordinal)).Select(c => c.Value).ToList();
        var outcome = await flow.CompleteAsync(integrationId, new CallbackParameters(state, code, error, errorDescription, oauthToken, oauthVerifier), correlations, http.User.ToActor(), http.RequestAborted);
        if (outcome.Correlation is { } ended)
        {
            // Only this sign-in's cookie: another tab's sign-in in flight still needs its own.
            http.Response.Cookies.Delete(CorrelationCookieName(cookies, ended), cookies.For(http));
        }

        if (outcome.Purpose == AuthorizationPurpose.Verify)
        {
            StatusMessage.Set(http, outcome.Succeeded
                ? new StatusMessage(StatusMessage.Success, VerificationMessages.Succeeded(outcome))
                : new StatusMessage(StatusMessage.Error, VerificationMessages.Failed(outcome)));
            return Results.Redirect(LocalReturnUrl.Sanitize(outcome.ReturnUrl, IntegrationsPath));
        }
        if (!outcome.Succeeded)
        {
            // The sign-in page is anonymous: the detail is for administrators (Verify, the Status page).
            StatusMessage.Set(http, new StatusMessage(StatusMessage.Error, outcome.PublicMessage!));
            return Results.Redirect(SignInPathReturningTo(outcome.ReturnUrl));
        }

        var user = outcome.User!;
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()),
            new Claim(ClaimTypes.Name, user.DisplayName),
            new Claim(PortalClaims.IntegrationId, outcome.IntegrationId!.Value.ToString()),
            new Claim(PortalClaims.Session, user.SessionId.ToString()),
        ], CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(new ClaimsPrincipal(identity));
        if (SignInMessages.Welcome(user) is { } welcome)
        {
            StatusMessage.Set(http, new StatusMessage(StatusMessage.Success, welcome));
        }
        return Results.Redirect(LocalReturnUrl.Sanitize(outcome.ReturnUrl));
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, [FromForm] string? returnUrl, SessionService sessions, IAntiforgery antiforgery)
    {
        if (http.User.ToActor().SessionId is { } sessionId)
        {
            // A session to end: only with this browser's own form. Without one (it ended in another tab, or expired)
            // the form's token names a person the request no longer carries, and signing out is all that is left to do.
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                http.Features.Set<IAntiforgeryValidationFeature>(new RefusedForm());
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Forms").LogInformation(
                    "A sign-out form was refused: its antiforgery token is missing or invalid (an expired form, or one sent from another site).");
                return Results.StatusCode(StatusCodes.Status400BadRequest);
            }
            // Ends the session on the server too, so pages open in other tabs lose their powers at once.
            await sessions.EndAsync(sessionId, SessionEndReason.SignedOut, http.RequestAborted);
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
        else if (!CarriesSignInCookie(http))
        {
            // Nothing to sign out of: a post from another site (the Lax cookie stays behind) or a browser never signed in.
            // No cookie is touched and nothing is said, so another site cannot make the portal sign anyone out.
            return Results.Redirect(LocalReturnUrl.Sanitize(returnUrl));
        }
        // (A cookie whose session had ended was already deleted when the request was authenticated.)
        StatusMessage.Set(http, new StatusMessage(StatusMessage.Info, SignInMessages.SignedOut));
        return Results.Redirect(LocalReturnUrl.Sanitize(returnUrl));
    }

    private static bool CarriesSignInCookie(HttpContext http) =>
        http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(CookieAuthenticationDefaults.AuthenticationScheme).Cookie.Name is { } name && http.Request.Cookies.ContainsKey(name);

    /// <summary>Tells the 400 page that a form's antiforgery token was refused, as the antiforgery middleware does.</summary>
    private sealed class RefusedForm : IAntiforgeryValidationFeature
    {
        public bool IsValid => false;
        public Exception? Error => null;
    }
}
