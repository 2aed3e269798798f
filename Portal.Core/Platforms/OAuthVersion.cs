namespace Portal.Core.Platforms;

/// <summary>The OAuth protocol an integration uses to sign users in; a platform says which its servers support.</summary>
public enum OAuthVersion
{
    /// <summary>OAuth 2.0 authorization code flow with PKCE.</summary>
    OAuth2 = 2,

    /// <summary>OAuth 1.0a with RSA-SHA1 signatures (servers too old for OAuth 2).</summary>
    OAuth1 = 1,
}
