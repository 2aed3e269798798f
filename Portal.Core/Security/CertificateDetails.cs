using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Core.Security;

/// <summary>What an administrator needs to decide whether to trust a certificate; all of it is public.</summary>
/// <param name="Subject">The certificate's subject distinguished name.</param>
/// <param name="Issuer">The issuer's distinguished name (the same as the subject for a self-signed certificate).</param>
/// <param name="NotBefore">Valid from (UTC).</param>
/// <param name="NotAfter">Valid until (UTC).</param>
/// <param name="Sha256Fingerprint">SHA-256 of the DER encoding, as colon-separated upper-case hex pairs.</param>
/// <param name="IsSelfSigned">Whether the certificate issued itself (a root CA or a self-signed server certificate).</param>
/// <param name="IsCertificateAuthority">Whether its basic constraints say it may issue certificates.</param>
/// <param name="Pem">The certificate as PEM (<c>-----BEGIN CERTIFICATE-----</c>), without any key.</param>
public sealed record CertificateDetails(
    string Subject, string Issuer, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Sha256Fingerprint,
    bool IsSelfSigned, bool IsCertificateAuthority, string Pem)
{
    /// <summary>Reads the public parts of <paramref name="certificate"/>.</summary>
    public static CertificateDetails From(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var fingerprint = Convert.ToHexString(SHA256.HashData(certificate.RawData));
        return new CertificateDetails(
            certificate.Subject,
            certificate.Issuer,
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            string.Join(':', Enumerable.Range(0, fingerprint.Length / 2).Select(i => fingerprint.Substring(i * 2, 2))),
            certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData),
            certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(e => e.CertificateAuthority),
            certificate.ExportCertificatePem());
    }

    /// <summary>"2027-01-31", the way the portal writes dates.</summary>
    public static string Date(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
