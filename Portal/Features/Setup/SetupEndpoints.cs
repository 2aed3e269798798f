using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Portal.Core.Sessions;
using Portal.Core.Setup;
using Portal.Web;

namespace Portal.Features.Setup;

internal static class SetupEndpoints
{
    public const string AdminLandingPath = "/integrations";

    public static IServiceCollection AddSetupMode(this IServiceCollection services) =>
        services.AddSingleton<SetupLinkThrottle>();

    /// <summary>The one-time setup link: <c>/setup?token=…</c>.</summary>
    public static void MapSetupEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/setup", RedeemSetupLinkAsync).ExcludeFromDescription().RequireRateLimiting(RateLimits.Setup);

    private static async Task<IResult> RedeemSetupLinkAsync(string? token, HttpContext http, SetupModeService setupMode, SessionService sessions,
        SetupLinkThrottle throttle, ILoggerFactory loggers)
    {
        http.Response.Headers.CacheControl = "no-store";
        var client = RateLimits.ClientKey(http.Connection.RemoteIpAddress);

        // The valid link always works, even from a client that tried wrong ones: the throttle refuses only wrong links.
        // Guessing stays hopeless (the token is 128 random bits) and the Setup rate limit caps every request.
        var redemption = await setupMode.RedeemAsync(token, http.RequestAborted);
        var outcome = redemption.Outcome;
        switch (outcome)
        {
            case SetupLinkOutcome.Accepted:
                // As a sign-in does: the browser's previous session ends, so a copy of its old cookie is worth nothing.
                if (Guid.TryParse(http.User.FindFirst(PortalClaims.Session)?.Value, out var previous))
                {
                    await sessions.EndAsync(previous, SessionEndReason.Replaced, http.RequestAborted);
                }
                var sessionId = await sessions.StartSetupSessionAsync(redemption.TokenId!.Value, http.RequestAborted);
                var identity = new ClaimsIdentity(
                    [
                        new Claim(ClaimTypes.Name, "Setup administrator"),
                        new Claim(PortalClaims.SetupSession, "1"),
                        new Claim(PortalClaims.Session, sessionId.ToString()),
                    ],
                    CookieAuthenticationDefaults.AuthenticationScheme);
                await http.SignInAsync(new ClaimsPrincipal(identity));
                loggers.CreateLogger("Portal.Setup").LogInformation(
                    "The setup link was opened from {Client}; that browser may configure the portal until Setup Mode ends.", http.Connection.RemoteIpAddress?.ToString());
                return Results.Redirect(AdminLandingPath);
            case SetupLinkOutcome.SetupModeOver:
                return Results.Redirect($"{PortalWebExtensions.AccessPath}?problem={AccessProblem.SetupModeOver}");
            default:
                if (await throttle.RefusesFailureAsync(client, http.RequestAborted))
                {
                    return Results.Redirect($"{PortalWebExtensions.AccessPath}?problem={AccessProblem.TooManySetupAttempts}");
                }
                var problem = outcome switch
                {
                    SetupLinkOutcome.AlreadyUsed => AccessProblem.SetupLinkUsed,
                    SetupLinkOutcome.Expired => AccessProblem.SetupLinkExpired,
                    _ => AccessProblem.SetupLinkUnknown,
                };
                return Results.Redirect($"{PortalWebExtensions.AccessPath}?problem={problem}");
        }
    }
}

/// <summary>Why someone landed on the access page; each has its own explanation there.</summary>
internal static class AccessProblem
{
    public const string SetupLinkUnknown = "setup-link-unknown";
    public const string SetupLinkUsed = "setup-link-used";
    public const string SetupLinkExpired = "setup-link-expired";
    public const string TooManySetupAttempts = "too-many-attempts";
    public const string SetupModeOver = "setup-mode-over";
}
