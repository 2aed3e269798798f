using System.Security.Cryptography;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// The portal as an OAuth 1.0a consumer of one Bitbucket application link: the Consumer Key entered in the link's
/// Incoming Authentication and the RSA private key whose public half was pasted there. The caller owns the key.
/// </summary>
public sealed class OAuth1Consumer
{
    /// <summary>Creates a consumer from its key and RSA private key.</summary>
    public OAuth1Consumer(string consumerKey, RSA privateKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerKey);
        ArgumentNullException.ThrowIfNull(privateKey);
        ConsumerKey = consumerKey;
        PrivateKey = privateKey;
    }

    /// <summary>The Consumer Key, as entered in Bitbucket's Incoming Authentication.</summary>
    public string ConsumerKey { get; }

    /// <summary>The RSA private key that signs every request (RSA-SHA1).</summary>
    public RSA PrivateKey { get; }

    /// <inheritdoc />
    public override string ToString() => $"OAuth1Consumer {ConsumerKey}";
}
