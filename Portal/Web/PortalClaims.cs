namespace Portal.Web;

/// <summary>Claims the portal's cookie carries.</summary>
internal static class PortalClaims
{
    /// <summary>Present on the cookie set by the one-time setup link; grants the admin pages while Setup Mode lasts.</summary>
    public const string SetupSession = "portal:setup-session";
    public const string IntegrationId = "portal:integration";
}

internal static class PortalPolicies
{
    public const string Administrator = "Administrator";
}
