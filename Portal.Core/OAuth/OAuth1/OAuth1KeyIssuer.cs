using Portal.Core.Integrations;

namespace Portal.Core.OAuth.OAuth1;

/// <summary>Makes the OAuth 1 credentials of a new integration: a fresh Consumer Key and its own 2048-bit RSA key pair.</summary>
public static class OAuth1KeyIssuer
{
    /// <summary>
    /// New keys, never issued before; the private key is a secret (encrypted at rest, never rendered). Generating the
    /// key pair takes a moment, so callers make them once per integration, when OAuth 1 is first needed.
    /// </summary>
    public static OAuth1Keys Issue()
    {
        var pair = OAuth1KeyPair.Generate();
        return new OAuth1Keys(OAuth1ConsumerKey.Generate(), pair.PublicKeyPem, pair.PrivateKeyPem);
    }
}
