using Microsoft.AspNetCore.DataProtection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Persistence;

namespace Portal.Core.Security;

/// <summary>
/// Runs at start, before Data Protection reads its keys: encrypts keys that earlier versions stored in the database
/// unencrypted, reports keys the key file cannot decrypt, and makes sure the key ring has a key every instance shares.
/// </summary>
public sealed class StoredKeyProtection(PortalDbContext db, KeyRingCertificate keyFile, IServiceProvider services, ILoggerFactory loggerFactory) : IDatabaseStartupStep
{
    private static readonly XNamespace DataProtectionNamespace = "http://schemas.asp.net/2015/03/dataProtection";
    private static readonly XName EncryptedSecretName = DataProtectionNamespace + "encryptedSecret";
    private static readonly XName RequiresEncryptionName = DataProtectionNamespace + "requiresEncryption";
    private const string DecryptorTypeName = "decryptorType";

    private readonly ILogger logger = loggerFactory.CreateLogger<StoredKeyProtection>();

    /// <summary>Opens (or creates) the key file, encrypts plaintext keys and logs an error for keys it cannot decrypt.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var certificate = keyFile.Certificate;
        var keys = await db.DataProtectionKeys.ToListAsync(cancellationToken);
        var encryptor = new CertificateXmlEncryptor(certificate, loggerFactory);
        var upgraded = 0;
        var unreadable = new List<string>();
        foreach (var key in keys.Where(k => k.Xml is not null))
        {
            var element = XElement.Parse(key.Xml!);
            if (EncryptPlaintextSecrets(element, encryptor))
            {
                key.Xml = element.ToString(SaveOptions.DisableFormatting);
                upgraded++;
            }
            else if (EncryptedWithAnotherCertificate(element) is { } thumbprint)
            {
                unreadable.Add(thumbprint);
            }
        }

        if (unreadable.Count > 0 && keyFile.CreatedNow && db.Database.IsNpgsql())
        {
            // Before anything is saved: keys encrypted with a key file that is then deleted could never be read again.
            // Instances share this database's key ring: one started without their key file would add keys the others
            // cannot read, and protect cookies and secrets with them. Its new key file goes, so a restart refuses too.
            keyFile.DeleteCreated();
            throw new PortalStartRefusedException(
                $"No Data Protection key file was found at {keyFile.FilePath}, but the shared PostgreSQL database holds {unreadable.Count} key(s) that " +
                $"another key file encrypted (thumbprint {string.Join(", ", unreadable.Distinct())}). This instance would add keys that no other " +
                "instance can read, so it does not start. Fix: copy the key file the other instances use to DataProtection:CertificatePath " +
                "(with its password in DataProtection__CertificatePassword), then start again. If that key file is lost for good, delete the " +
                "rows of the DataProtectionKeys table (every client secret must then be entered again and everyone signs in again) and start again.");
        }
        if (upgraded > 0)
        {
            await SaveWithoutTracesAsync(cancellationToken);
            logger.LogWarning(
                "Encrypted {Count} Data Protection key(s) that an earlier version of the portal stored unencrypted in the database; they are now readable only with the key file {KeyFile}. Database backups made before this start still hold them unencrypted: delete those backups or keep them as safe as the key file.",
                upgraded, keyFile.FilePath);
        }
        if (unreadable.Count > 0)
        {
            logger.LogError(
                "{Count} of the {Total} Data Protection key(s) in the database were encrypted with another certificate (thumbprint {Thumbprints}) than the one in the key file {KeyFile} (thumbprint {Thumbprint}){Created}, so client secrets, OAuth 1 private keys, tokens and sign-in cookies protected with them cannot be read. Fix: restore the key file those keys were encrypted with to DataProtection:CertificatePath (and its password to DataProtection__CertificatePassword), then restart. If it is lost, enter each integration's client secret again (recreate OAuth 1 integrations for a new key pair) and everyone signs in again.",
                unreadable.Count, keys.Count, string.Join(", ", unreadable.Distinct()), keyFile.FilePath, certificate.Thumbprint,
                keyFile.CreatedNow ? ", which was just created because none existed there" : "");
        }
        // Loads the key ring now, under the start-up lock, creating its first key if the database has none: instances
        // starting together would otherwise each create a key at their first request and, for the day Data Protection
        // caches its ring, not read what the others protected.
        try
        {
            services.GetRequiredService<IDataProtectionProvider>().CreateProtector(typeof(StoredKeyProtection).FullName!).Protect([0]);
        }
        catch (CryptographicException)
        {
            // Keys another key file encrypted: reported above; the portal starts so its pages can say what to fix.
        }
    }

    /// <summary>
    /// Replaces each element marked <c>requiresEncryption</c> with the <c>encryptedSecret</c> element Data Protection
    /// itself writes when it stores a key (XmlEncryptionExtensions.EncryptIfNecessary). False when nothing was in clear.
    /// </summary>
    internal static bool EncryptPlaintextSecrets(XElement key, IXmlEncryptor encryptor)
    {
        var encrypted = false;
        while (key.Descendants().FirstOrDefault(RequiresEncryption) is { } plaintext)
        {
            var info = encryptor.Encrypt(new XElement(plaintext));
            plaintext.ReplaceWith(new XElement(EncryptedSecretName,
                new XAttribute(DecryptorTypeName, info.DecryptorType.AssemblyQualifiedName!),
                info.EncryptedElement));
            encrypted = true;
        }
        return encrypted;
    }

    private static bool RequiresEncryption(XElement element) =>
        element.Attribute(RequiresEncryptionName) is { } attribute && XmlConvert.ToBoolean(attribute.Value);

    /// <summary>The thumbprint of the certificate a secret of the key was encrypted with, when the key file cannot decrypt it.</summary>
    private string? EncryptedWithAnotherCertificate(XElement key)
    {
        var decryptor = new EncryptedXmlDecryptor(services);
        foreach (var secret in key.Descendants(EncryptedSecretName))
        {
            if (!((string?)secret.Attribute(DecryptorTypeName) ?? "").StartsWith(typeof(EncryptedXmlDecryptor).FullName + ",", StringComparison.Ordinal))
            {
                continue;
            }
            try
            {
                decryptor.Decrypt(secret.Elements().Single());
            }
            catch (CryptographicException)
            {
                return CertificateThumbprintIn(secret) ?? "unknown";
            }
        }
        return null;
    }

    private static string? CertificateThumbprintIn(XElement secret)
    {
        var encoded = secret.Descendants().FirstOrDefault(e => e.Name.LocalName == "X509Certificate")?.Value;
        if (encoded is null)
        {
            return null;
        }
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(encoded));
            return certificate.Thumbprint;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Saves the upgraded keys; on SQLite so that the unencrypted text leaves no trace in the database file: freed space is zeroed.</summary>
    private async Task SaveWithoutTracesAsync(CancellationToken cancellationToken)
    {
        if (!db.Database.IsSqlite())
        {
            // PostgreSQL reuses dead row space after vacuum; its operator's backups and WAL archive are theirs to keep safe.
            await db.SaveChangesAsync(cancellationToken);
            return;
        }
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete = ON;", cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            // Until a checkpoint, the database file itself still holds the old pages; the write-ahead log the new ones.
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
