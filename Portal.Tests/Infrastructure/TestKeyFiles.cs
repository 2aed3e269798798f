using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Tests.Infrastructure;

/// <summary>Key files as an operator might bring them: self-signed certificates in PKCS#12 files.</summary>
public static class TestKeyFiles
{
    private static readonly Lazy<byte[]> Shared = new(() =>
    {
        using var certificate = NewRsaCertificate();
        return certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password: null);
    });

    /// <summary>
    /// Puts a copy of one key file made for the whole test run at <paramref name="path"/>, owner-only as the portal
    /// makes it, unless a key file is there already. Each portal creating its own RSA key would cost about half a
    /// second of CPU per start, a minute over the suite; tests about creating the key file name their own path.
    /// </summary>
    public static void ProvideShared(string path)
    {
        if (File.Exists(path))
        {
            return;
        }
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var file = new FileStream(path, options);
        file.Write(Shared.Value);
    }

    public static X509Certificate2 NewRsaCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Test key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>Writes an RSA certificate with its private key, protected by <paramref name="password"/>.</summary>
    public static void WriteRsa(string path, string? password)
    {
        using var certificate = NewRsaCertificate();
        Write(path, certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password));
    }

    /// <summary>Writes a PKCS#12 file that holds only the certificate, as an export without the private key does.</summary>
    public static void WriteWithoutPrivateKey(string path)
    {
        using var certificate = NewRsaCertificate();
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
        Write(path, publicOnly.Export(X509ContentType.Pkcs12));
    }

    /// <summary>Writes a certificate with an ECDSA key, which cannot encrypt Data Protection keys.</summary>
    public static void WriteEcdsa(string path)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Test ECDSA", ecdsa, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Write(path, certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, null));
    }

    private static void Write(string path, byte[] content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }
}
