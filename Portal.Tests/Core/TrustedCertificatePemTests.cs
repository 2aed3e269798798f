using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portal.Core.Security;
using Portal.Tests.Fakes;

namespace Portal.Tests.Core;

public sealed class TrustedCertificatePemTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public void A_root_CA_certificate_is_read_with_its_details()
    {
        using var authority = TestCertificateAuthority.Create();

        var (certificate, problem) = TrustedCertificatePem.Parse("\n  " + authority.Root.ExportCertificatePem() + "\n", Now);

        Assert.Null(problem);
        Assert.Equal(TestCertificateAuthority.RootSubject, certificate!.Subject);
        Assert.True(certificate.IsSelfSigned);
        Assert.True(certificate.IsCertificateAuthority);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(authority.Root.RawData)), certificate.Sha256Fingerprint.Replace(":", "", StringComparison.Ordinal));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", certificate.Pem, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_with_a_private_key_is_refused_and_never_kept()
    {
        using var key = RSA.Create(2048);
        using var authority = TestCertificateAuthority.Create();

        var (certificate, problem) = TrustedCertificatePem.Parse(authority.Root.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem(), Now);

        Assert.Null(certificate);
        Assert.Contains("contains a private key", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_certificates_are_refused_asking_for_the_root()
    {
        using var authority = TestCertificateAuthority.Create();

        var (_, problem) = TrustedCertificatePem.Parse(authority.Issuing.ExportCertificatePem() + "\n" + authority.Root.ExportCertificatePem(), Now);

        Assert.Equal("This text holds 2 certificates: paste only the root CA certificate (the last block of a chain, whose issuer is itself).", problem);
    }

    [Theory]
    [InlineData("", "Paste the CA certificate as PEM")]
    [InlineData("hello", "No \"-----BEGIN CERTIFICATE-----\" block was found")]
    [InlineData("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----", "This is not a readable PEM certificate")]
    public void Text_that_is_no_certificate_is_refused_with_the_fix(string pem, string expected)
    {
        var (certificate, problem) = TrustedCertificatePem.Parse(pem, Now);

        Assert.Null(certificate);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_is_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var expired = new CertificateRequest("CN=Old CA", key, HashAlgorithmName.SHA256).CreateSelfSigned(Now.AddYears(-2), Now.AddDays(-1));

        var (_, problem) = TrustedCertificatePem.Parse(expired.ExportCertificatePem(), Now);

        Assert.StartsWith("This certificate (\"CN=Old CA\") expired on ", problem, StringComparison.Ordinal);
    }
}
