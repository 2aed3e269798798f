namespace Portal.Core.Platforms;

/// <summary>
/// Which OAuth version an integration uses, from what the live check found: a server that supports OAuth 2 may still be
/// linked with OAuth 1 when its platform speaks it; an older one must use OAuth 1; a platform without OAuth 1 uses OAuth 2.
/// </summary>
public static class OAuthVersionChoice
{
    /// <summary>Whether the administrator may choose between OAuth 2 and OAuth 1.</summary>
    public static bool CanChoose(IPlatform platform, OAuthCompatibility? compatibility) =>
        compatibility is { AllowsOAuth2: true } && platform is IOAuth1Platform;

    /// <summary>The version in effect: the administrator's choice where there is one, else what the server calls for.</summary>
    public static OAuthVersion Resolve(IPlatform platform, OAuthCompatibility? compatibility, OAuthVersion? chosen) =>
        CanChoose(platform, compatibility)
            ? chosen ?? compatibility!.OAuthVersion
            : platform is IOAuth1Platform ? compatibility?.OAuthVersion ?? OAuthVersion.OAuth2 : OAuthVersion.OAuth2;
}
