namespace Portal.Core.Platforms;

/// <summary>An OAuth 1 integration's generated consumer key and RSA key pair.</summary>
public sealed record OAuth1Keys(string ConsumerKey, string PublicKeyPem, string PrivateKeyPem)
{
    /// <summary>Never prints the private key.</summary>
    public override string ToString() => $"OAuth1Keys {{ ConsumerKey = {ConsumerKey} }}";
}
