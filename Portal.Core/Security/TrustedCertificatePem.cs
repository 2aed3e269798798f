using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Core.Security;

/// <summary>
/// Reads the one CA certificate (or self-signed server certificate) an administrator trusts for one integration,
/// from PEM as pasted or as stored. Refuses what the portal must not store: private keys, several certificates, an
/// expired certificate.
/// </summary>
public static class TrustedCertificatePem
{
    /// <summary>The largest PEM accepted; a certificate is a few kilobytes.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>The certificate's details, or why <paramref name="pem"/> cannot be trusted (cause and fix).</summary>
    public static (CertificateDetails? Certificate, string? Problem) Parse(string? pem, DateTimeOffset now)
    {
        var text = pem?.Trim() ?? "";
        if (text.Length == 0)
        {
            return (null, "Paste the CA certificate as PEM: the text from \"-----BEGIN CERTIFICATE-----\" to \"-----END CERTIFICATE-----\".");
        }
        if (text.Length > MaxLength)
        {
            return (null, "This is far longer than a certificate: paste only the CA certificate's PEM block.");
        }
        if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return (null, "This text contains a private key, which the portal must never hold: paste only the certificate block and keep the key where it was.");
        }
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            return (null, $"This is not a readable PEM certificate ({e.Message}): export the CA certificate as Base64 (PEM) and paste the whole block.");
        }
        try
        {
            if (certificates.Count == 0 && text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                return (null, "This is not a readable PEM certificate: copy the whole block again, from \"-----BEGIN CERTIFICATE-----\" to \"-----END CERTIFICATE-----\", without changing a character.");
            }
            if (certificates.Count == 0)
            {
                return (null, "No \"-----BEGIN CERTIFICATE-----\" block was found: export the CA certificate as Base64 (PEM), not as binary DER.");
            }
            if (certificates.Count > 1)
            {
                return (null, $"This text holds {certificates.Count} certificates: paste only the root CA certificate (the last block of a chain, whose issuer is itself).");
            }
            var details = CertificateDetails.From(certificates[0]);
            if (details.NotAfter < now)
            {
                return (null, $"This certificate (\"{details.Subject}\") expired on {CertificateDetails.Date(details.NotAfter)}: ask the CA's owner for its current certificate.");
            }
            return (details, null);
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>Loads a stored PEM (already checked when it was trusted); an unreadable value trusts nothing.</summary>
    public static X509Certificate2Collection Load(string? pem)
    {
        var certificates = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(pem))
        {
            try
            {
                certificates.ImportFromPem(pem);
            }
            catch (CryptographicException)
            {
                certificates.Clear();
            }
        }
        return certificates;
    }
}
