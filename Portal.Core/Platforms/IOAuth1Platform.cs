namespace Portal.Core.Platforms;

/// <summary>A platform whose servers can also sign in with OAuth 1.0a (RSA-SHA1): the portal makes the consumer's keys.</summary>
public interface IOAuth1Platform : IPlatform
{
    /// <summary>A new Consumer Key and RSA key pair for one integration; the private key never leaves the portal.</summary>
    OAuth1Keys NewOAuth1Keys();
}
