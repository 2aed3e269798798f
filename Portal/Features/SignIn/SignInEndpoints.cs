using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Accounts;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Security;
using Portal.Web;

namespace Portal.Features.SignIn;

/// <summary>The OAuth endpoints: they set cookies and redirect, so they are minimal APIs, not components.</summary>
internal static class SignInEndpoints
{
    public const string SignInPath = "/signin";
    private const string CorrelationCookiePrefix = "Portal.Correlation.";

    public static void MapSignInEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signin/start/{integrationId:guid}", StartAsync).ExcludeFromDescription();
        app.MapGet(CallbackUrl.PathPrefix + "{integrationId:guid}", CallbackAsync).ExcludeFromDescription();
        app.MapPost("/signout", SignOutAsync).ExcludeFromDescription();
    }

    private static async Task<IResult> StartAsync(Guid integrationId, string? returnUrl, string? purpose, HttpContext http,
        SignInService flow, IAuthorizationService authorization)
    {
        var authorizationPurpose = purpose == "verify" ? AuthorizationPurpose.Verify : AuthorizationPurpose.SignIn;
        if (authorizationPurpose == AuthorizationPurpose.Verify
            && !(await authorization.AuthorizeAsync(http.User, PortalPolicies.Administrator)).Succeeded)
        {
            return Results.Redirect(PortalWebExtensions.AccessPath);
        }
        var fallback = authorizationPurpose == AuthorizationPurpose.Verify ? "/integrations" : "/";
        var prepared = await flow.PrepareAsync(integrationId, LocalReturnUrl.Sanitize(returnUrl, fallback), authorizationPurpose, http.RequestAborted);
        if (!prepared.Succeeded)
        {
            // OAuth 1 asks Bitbucket for a request token before the browser leaves, so a verification can already fail
            // here; it says which integration failed, like a verification that fails at the callback.
            var message = authorizationPurpose == AuthorizationPurpose.Verify && prepared.IntegrationName is { } name
                ? $"Verifying \"{name}\" failed at the {StepName(SignInStep.Authorize)} step: {prepared.AdministratorMessage}"
                : prepared.PublicMessage!;
            StatusMessage.Set(http, new StatusMessage(StatusMessage.Error, message));
            return Results.Redirect(authorizationPurpose == AuthorizationPurpose.Verify ? "/integrations" : SignInPath);
        }
        var start = prepared.Start!;
        // One cookie per sign-in in flight, so two tabs signing in at once do not undo each other.
        http.Response.Cookies.Append(CorrelationCookiePrefix + start.Correlation[..12], start.Correlation, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            Path = "/signin",
            Expires = start.ExpiresAt,
            IsEssential = true,
        });
        return Results.Redirect(start.AuthorizeUrl);
    }

    private static async Task<IResult> CallbackAsync(Guid integrationId, string? state, string? code, string? error,
        [FromQuery(Name = "error_description")] string? errorDescription,
        [FromQuery(Name = "oauth_token")] string? oauthToken, [FromQuery(Name = "oauth_verifier")] string? oauthVerifier, HttpContext http, SignInService flow)
    {
        http.Response.Headers.CacheControl = "no-store";
        var correlations = http.Request.Cookies.Where(c => c.Key.StartsWith(CorrelationCookiePrefix, StringComparison.Ordinal)).Select(c => c.Value).ToList();
        var holdsSetupSession = http.User.HasClaim(c => c.Type == PortalClaims.SetupSession);
        var outcome = await flow.CompleteAsync(integrationId, new CallbackParameters(state, code, error, errorDescription, oauthToken, oauthVerifier), correlations, holdsSetupSession, http.RequestAborted);

        if (outcome.Purpose == AuthorizationPurpose.Verify)
        {
            StatusMessage.Set(http, outcome.Succeeded
                ? new StatusMessage(StatusMessage.Success, $"\"{outcome.IntegrationName}\" works: Bitbucket identified you as {outcome.Identity!.DisplayName} (user name {outcome.Identity.Name}, id {outcome.Identity.Id}). It is now Verified.")
                : new StatusMessage(StatusMessage.Error, $"Verifying \"{outcome.IntegrationName}\" failed at the {StepName(outcome.FailedStep)} step: {outcome.AdministratorMessage}"));
            return Results.Redirect(LocalReturnUrl.Sanitize(outcome.ReturnUrl, "/integrations"));
        }
        if (!outcome.Succeeded)
        {
            // The sign-in page is anonymous: the detail is for administrators (Verify, the Status page).
            StatusMessage.Set(http, new StatusMessage(StatusMessage.Error, outcome.PublicMessage!));
            return Results.Redirect(SignInPath);
        }

        foreach (var cookie in http.Request.Cookies.Keys.Where(k => k.StartsWith(CorrelationCookiePrefix, StringComparison.Ordinal)))
        {
            http.Response.Cookies.Delete(cookie, new CookieOptions { Path = "/signin" });
        }
        var user = outcome.User!;
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()),
            new Claim(ClaimTypes.Name, user.DisplayName),
            new Claim(PortalClaims.IntegrationId, outcome.IntegrationId!.Value.ToString()),
        ], CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(new ClaimsPrincipal(identity));
        if (user.BecameFirstAdministrator)
        {
            StatusMessage.Set(http, new StatusMessage(StatusMessage.Success,
                $"Welcome, {user.DisplayName}. You are the portal's first administrator, and Setup Mode is over: setup links no longer work, and admin pages need an administrator's sign-in."));
        }
        return Results.Redirect(LocalReturnUrl.Sanitize(outcome.ReturnUrl));
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, [FromForm] string? returnUrl)
    {
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        StatusMessage.Set(http, new StatusMessage(StatusMessage.Info, "You are signed out."));
        return Results.Redirect(LocalReturnUrl.Sanitize(returnUrl));
    }

    private static string StepName(SignInStep? step) => step switch
    {
        SignInStep.Authorize => "authorize",
        SignInStep.Token => "token",
        SignInStep.Identity => "identity",
        SignInStep.Account => "account",
        _ => "sign-in state",
    };
}
