using System.Security.Claims;
using Portal.Core.Authorization;

namespace Portal.Web;

/// <summary>Claims the portal's cookie carries.</summary>
internal static class PortalClaims
{
    /// <summary>The server-side session the cookie belongs to; every request and every action checks it in the database.</summary>
    public const string Session = "portal:session";

    /// <summary>Present on the cookie set by the one-time setup link; grants the admin pages while Setup Mode lasts.</summary>
    public const string SetupSession = "portal:setup-session";
    public const string IntegrationId = "portal:integration";

    /// <summary>The actor a request or a circuit acts as: the session its cookie names.</summary>
    public static Actor ToActor(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(Session), out var sessionId) ? new Actor(sessionId) : Actor.Anonymous;
}

internal static class PortalPolicies
{
    public const string Administrator = "Administrator";
}
