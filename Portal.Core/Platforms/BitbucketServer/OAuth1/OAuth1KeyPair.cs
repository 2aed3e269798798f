using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// An integration's RSA key pair as PEM text: the public key (<c>-----BEGIN PUBLIC KEY-----</c>, SubjectPublicKeyInfo,
/// which Bitbucket's Incoming Authentication accepts) and the private key (<c>-----BEGIN PRIVATE KEY-----</c>, PKCS#8).
/// </summary>
public sealed class OAuth1KeyPair
{
    /// <summary>The size of generated keys.</summary>
    public const int KeySizeInBits = 2048;

    private OAuth1KeyPair(string publicKeyPem, string privateKeyPem)
    {
        PublicKeyPem = publicKeyPem;
        PrivateKeyPem = privateKeyPem;
    }

    /// <summary>The public key to paste into Bitbucket, SubjectPublicKeyInfo PEM.</summary>
    public string PublicKeyPem { get; }

    /// <summary>The private key, PKCS#8 PEM. A secret: encrypt it at rest and never render it.</summary>
    public string PrivateKeyPem { get; }

    /// <summary>Generates a new 2048-bit RSA key pair.</summary>
    public static OAuth1KeyPair Generate()
    {
        using var rsa = RSA.Create(KeySizeInBits);
        return new OAuth1KeyPair(rsa.ExportSubjectPublicKeyInfoPem(), rsa.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Rebuilds the pair from a stored private key (PKCS#8 or PKCS#1 PEM), deriving the public key.</summary>
    /// <exception cref="ArgumentException">The text holds no RSA private key PEM.</exception>
    public static OAuth1KeyPair FromPrivateKeyPem(string privateKeyPem)
    {
        using var rsa = ImportPrivateKey(privateKeyPem);
        return new OAuth1KeyPair(rsa.ExportSubjectPublicKeyInfoPem(), rsa.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A new <see cref="RSA"/> holding the private key; the caller disposes it.</summary>
    public RSA CreatePrivateKey() => ImportPrivateKey(PrivateKeyPem);

    /// <summary>Imports an RSA private key from PEM (<c>PRIVATE KEY</c> or <c>RSA PRIVATE KEY</c>).</summary>
    /// <exception cref="ArgumentException">The text holds no RSA private key PEM.</exception>
    public static RSA ImportPrivateKey(string privateKeyPem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(privateKeyPem);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(privateKeyPem);
            if (!HasPrivatePart(rsa))
            {
                throw new ArgumentException("The PEM text holds a public key, not a private key.", nameof(privateKeyPem));
            }

            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Imports an RSA public key from PEM: <c>PUBLIC KEY</c>, <c>RSA PUBLIC KEY</c> or a <c>CERTIFICATE</c>. Bitbucket's
    /// Incoming Authentication reads only <c>PUBLIC KEY</c> and <c>CERTIFICATE</c>, which is why <see cref="PublicKeyPem"/>
    /// is SubjectPublicKeyInfo.
    /// </summary>
    /// <exception cref="ArgumentException">The text holds no RSA public key or certificate PEM.</exception>
    public static RSA ImportPublicKey(string publicKeyPem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(publicKeyPem);
        if (publicKeyPem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            using var certificate = X509Certificate2.CreateFromPem(publicKeyPem);
            return certificate.GetRSAPublicKey()
                ?? throw new ArgumentException("The certificate does not hold an RSA key.", nameof(publicKeyPem));
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(publicKeyPem);
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override string ToString() => "OAuth1KeyPair (RSA, private key hidden)";

    private static bool HasPrivatePart(RSA rsa)
    {
        try
        {
            return rsa.ExportParameters(true).D is not null;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
