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

    /// <summary>
    /// The client's address behind the trusted proxies, added to every request's user by <see cref="ClientAddressClaim"/>
    /// and so kept by the circuit the request opens; never part of the cookie.
    /// </summary>
    public const string ClientAddress = "portal:client-address";

    /// <summary>The actor a request or a circuit acts as: the session its cookie names, from the address it came from.</summary>
    public static Actor ToActor(this ClaimsPrincipal user) =>
        (Guid.TryParse(user.FindFirstValue(Session), out var sessionId) ? new Actor(sessionId) : Actor.Anonymous) with
        {
            ClientAddress = user.FindFirstValue(ClientAddress),
        };
}

internal static class PortalPolicies
{
    public const string Administrator = "Administrator";
}
