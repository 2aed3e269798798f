using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// The RFC 5849 section 3.4 signature methods. Bitbucket accepts only RSA-SHA1; HMAC-SHA1 and PLAINTEXT exist so the
/// published test vectors can be checked against the same base-string code.
/// </summary>
public static class OAuth1SignatureMethod
{
    public const string RsaSha1Name = "RSA-SHA1";
    public const string HmacSha1Name = "HMAC-SHA1";
    public const string PlaintextName = "PLAINTEXT";

    /// <summary>Section 3.4.3: RSASSA-PKCS1-v1_5 with SHA-1 over the base string, base64-encoded.</summary>
    public static string RsaSha1(string baseString, RSA privateKey)
    {
        ArgumentNullException.ThrowIfNull(baseString);
        ArgumentNullException.ThrowIfNull(privateKey);
        var signature = privateKey.SignData(Encoding.UTF8.GetBytes(baseString), HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
        return Convert.ToBase64String(signature);
    }

    /// <summary>Checks an RSA-SHA1 signature with the consumer's public key; a malformed signature is simply invalid.</summary>
    public static bool VerifyRsaSha1(string baseString, string signature, RSA publicKey)
    {
        ArgumentNullException.ThrowIfNull(baseString);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var bytes = new byte[signature.Length];
        if (!Convert.TryFromBase64String(signature, bytes, out var written))
        {
            return false;
        }

        return publicKey.VerifyData(
            Encoding.UTF8.GetBytes(baseString), bytes.AsSpan(0, written), HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
    }

    /// <summary>Section 3.4.2: HMAC-SHA1 keyed with <c>enc(consumer secret)&amp;enc(token secret)</c>, base64-encoded.</summary>
    public static string HmacSha1(string baseString, string consumerSecret, string? tokenSecret)
    {
        ArgumentNullException.ThrowIfNull(baseString);
        var key = Encoding.UTF8.GetBytes(Plaintext(consumerSecret, tokenSecret));
#pragma warning disable CA5350 // RFC 5849 defines HMAC-SHA1; it is only used to check published vectors.
        return Convert.ToBase64String(HMACSHA1.HashData(key, Encoding.UTF8.GetBytes(baseString)));
#pragma warning restore CA5350
    }

    /// <summary>Section 3.4.4: the signature is the key itself, <c>enc(consumer secret)&amp;enc(token secret)</c>.</summary>
    public static string Plaintext(string consumerSecret, string? tokenSecret)
    {
        ArgumentNullException.ThrowIfNull(consumerSecret);
        return OAuth1Encoding.PercentEncode(consumerSecret) + "&" + OAuth1Encoding.PercentEncode(tokenSecret ?? "");
    }
}
