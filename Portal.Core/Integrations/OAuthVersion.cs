namespace Portal.Core.Integrations;

/// <summary>The OAuth protocol an integration uses to sign users in.</summary>
public enum OAuthVersion
{
    /// <summary>OAuth 2.0 authorization code flow (Bitbucket 7.21 and later).</summary>
    OAuth2 = 2,

    /// <summary>OAuth 1.0a with RSA-SHA1 signatures (older Bitbucket).</summary>
    OAuth1 = 1,
}
