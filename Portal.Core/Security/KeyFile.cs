using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Core.Security;

/// <summary>A key file that cannot be used; the message names the setting and the fix.</summary>
internal sealed class KeyFileException(string message) : Exception(message);

/// <summary>Reads and creates the PKCS#12 key file that holds the certificate encrypting the Data Protection keys.</summary>
internal static class KeyFile
{
    private const int RsaKeySize = 3072;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Opens an existing key file; throws <see cref="KeyFileException"/> when it cannot serve as the key ring's certificate.</summary>
    public static X509Certificate2 Open(string path, string? password)
    {
        if (Directory.Exists(path))
        {
            throw new KeyFileException(
                $"DataProtection:CertificatePath {path} is a folder: set it to the key file, e.g. {DataProtectionKeyOptions.DefaultCertificatePath}.");
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException(
                $"DataProtection:CertificatePath {path} cannot be read ({e.Message}): let the portal's user account read it.");
        }
        catch (CryptographicException)
        {
            throw new KeyFileException(string.IsNullOrEmpty(password)
                ? $"DataProtection:CertificatePassword is not set, but the key file {path} (DataProtection:CertificatePath) cannot be opened without a password, or is not a PKCS#12 (.pfx) file: set the environment variable DataProtection__CertificatePassword to the password it was created with."
                : $"DataProtection:CertificatePassword does not open the key file {path} (DataProtection:CertificatePath): the password is wrong, or the file is not a PKCS#12 (.pfx) file. Set the environment variable DataProtection__CertificatePassword to the password the key file was created with.");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new KeyFileException(
                $"DataProtection:CertificatePath {path} holds a certificate without its private key, which is needed to decrypt the keys: export the certificate together with its private key to a .pfx file.");
        }
        using var rsa = certificate.GetRSAPrivateKey();
        if (rsa is null)
        {
            var algorithm = certificate.PublicKey.Oid.FriendlyName;
            certificate.Dispose();
            throw new KeyFileException(
                $"DataProtection:CertificatePath {path} holds a {algorithm} key, but Data Protection encrypts its keys with RSA: use a certificate with an RSA key.");
        }
        return certificate;
    }

    /// <summary>
    /// Creates a self-signed RSA certificate in a new key file that only the portal's user account may read (folder
    /// 0700, file 0600 outside Windows). When another process created the file first, that file is opened instead.
    /// </summary>
    public static X509Certificate2 Create(string path, string? password, DateTimeOffset now)
    {
        byte[] pkcs12;
        using (var rsa = RSA.Create(RsaKeySize))
        {
            var request = new CertificateRequest("CN=Portal Data Protection key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
            // Data Protection does not check the expiry date; a far one says the file is meant to last.
            using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));
            pkcs12 = certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password);
        }

        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            WriteOwnerOnly(temporary, pkcs12);
            // Moved into place whole, so a crash never leaves a half-written key file behind.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            TryDelete(temporary);
            return Open(path, password);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new KeyFileException(
                $"DataProtection:CertificatePath: no key file exists at {path}, and creating one failed ({e.Message}): make its folder writable for the portal's user account, or set DataProtection:CertificatePath to an existing key file.");
        }
        return Open(path, password);
    }

    /// <summary>True when users other than the owner may read or change the key file.</summary>
    public static bool IsOpenToOthers(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(OwnerOnlyFile | UnixFileMode.UserExecute)) != 0;

    private static void WriteOwnerOnly(string path, byte[] content)
    {
        var folder = Path.GetDirectoryName(path)!;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, OwnerOnlyFolder);
            options.UnixCreateMode = OwnerOnlyFile;
        }
        using var stream = new FileStream(path, options);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a temporary file; nothing depends on it being gone.
        }
    }
}
