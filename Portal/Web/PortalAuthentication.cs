using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using Portal.Core.Sessions;

namespace Portal.Web;

internal static class PortalAuthentication
{
    /// <summary>
    /// The portal's cookie (naming a server-side session checked on every request), open pages that re-check their
    /// person, and the administrator policy decided by Core's gate.
    /// </summary>
    public static IServiceCollection AddPortalAuthentication(this IServiceCollection services)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, PortalAuthenticationStateProvider>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
        {
            // Name and Secure policy: AddPortalCookies.
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.LoginPath = PortalWebExtensions.AccessPath;
            options.AccessDeniedPath = PortalWebExtensions.AccessPath;
            options.ReturnUrlParameter = "returnUrl";
            options.SlidingExpiration = true;
            options.Events.OnValidatePrincipal = SessionCookieValidation.ValidateAsync;
            options.Events.OnRedirectToLogin = RedirectToSignInOrAccess;
        });
        // The idle timeout lives in the cookie; the absolute lifetime, sign-out and the end of Setup Mode in the session it names.
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<PortalSessionOptions>>((cookie, sessions) => cookie.ExpireTimeSpan = sessions.Value.IdleTimeout);
        services.AddScoped<IAuthorizationHandler, AdministratorAuthorizationHandler>();
        services.AddAuthorizationBuilder().AddPolicy(PortalPolicies.Administrator, p => p.AddRequirements(new AdministratorRequirement()));
        return services;
    }

    /// <summary>
    /// A page for administrators explains how to get in (the setup link, the administrator role); a page for everyone
    /// signed in (the account page) goes straight to the sign-in page. Either way the page comes back after the sign-in.
    /// </summary>
    private static Task DefaultRedirectToLogin(RedirectContext<CookieAuthenticationOptions> context) =>
        new CookieAuthenticationEvents().RedirectToLogin(context);

    private static Task RedirectToSignInOrAccess(RedirectContext<CookieAuthenticationOptions> context)
    {
        var forAdministrators = context.HttpContext.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Any(a => a.Policy == PortalPolicies.Administrator) ?? true;
        if (forAdministrators)
        {
            return DefaultRedirectToLogin(context);
        }
        var request = context.Request;
        var signIn = Portal.Features.SignIn.SignInEndpoints.SignInPathReturningTo($"{request.PathBase}{request.Path}{request.QueryString}");
        if (string.Equals(request.Headers.XRequestedWith, "XMLHttpRequest", StringComparison.Ordinal))
        {
            // As the cookie handler does for scripts: a 401 that says where to sign in, not a redirect to follow.
            context.Response.Headers.Location = signIn;
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }
        context.Response.Redirect(signIn);
        return Task.CompletedTask;
    }
}
