using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Security;

/// <summary>
/// The settings under <c>DataProtection</c>: the key file whose certificate encrypts the Data Protection keys that the
/// database stores, so that a copy of the database alone decrypts no secret and forges no cookie.
/// </summary>
public sealed class DataProtectionKeyOptions : IValidatableObject
{
    public const string Section = "DataProtection";

    /// <summary>Where a fresh installation keeps its key file: a folder apart from the database's <c>data/</c>.</summary>
    public const string DefaultCertificatePath = "keys/data-protection.pfx";

    /// <summary>The PKCS#12 (.pfx) key file with an RSA private key; relative to the content root. Created on first start when missing.</summary>
    public string CertificatePath { get; set; } = DefaultCertificatePath;

    /// <summary>The key file's password. Meant to come from the environment (<c>DataProtection__CertificatePassword</c>), never from appsettings.json.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The key file's absolute path.</summary>
    public string FullCertificatePath(string contentRootPath) => Path.GetFullPath(CertificatePath, contentRootPath);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            yield return new ValidationResult(
                $"DataProtection:CertificatePath is empty: set it to the key file, e.g. \"{DefaultCertificatePath}\" (created on first start).",
                [nameof(CertificatePath)]);
        }
    }
}
