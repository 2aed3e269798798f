using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Persistence;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

public sealed class KeyRingEncryptionTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"portal-keys-{Guid.NewGuid():N}");

    private string KeyPath => Path.Combine(folder, "data-protection.pfx");

    // ---- The upgrade of keys stored unencrypted -------------------------------------------------------------------

    [Fact]
    public async Task An_upgraded_key_has_the_shape_Data_Protection_writes_when_it_encrypts_a_key_itself_and_Data_Protection_reads_it()
    {
        using var certificate = TestKeyFiles.NewRsaCertificate();
        using var encryptedByFramework = new TestDatabase();
        using var upgraded = new TestDatabase();
        await using (var framework = DataProtection(encryptedByFramework, b => b.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate)))
        {
            ProtectSomething(framework);
        }
        string protectedBeforeUpgrade;
        await using (var oldVersion = DataProtection(upgraded, _ => { }))
        {
            protectedBeforeUpgrade = ProtectSomething(oldVersion);
        }
        var frameworkKey = XElement.Parse(Assert.Single(await KeysAsync(encryptedByFramework)));
        var plaintextKey = XElement.Parse(Assert.Single(await KeysAsync(upgraded)));

        var changed = StoredKeyProtection.EncryptPlaintextSecrets(plaintextKey, new CertificateXmlEncryptor(certificate, NullLoggerFactory.Instance));
        await ReplaceKeyAsync(upgraded, plaintextKey);

        Assert.True(changed);
        Assert.Equal(Shape(frameworkKey), Shape(plaintextKey));
        Assert.Contains("encryptedSecret", Shape(plaintextKey), StringComparison.Ordinal);
        await using var withCertificate = DataProtection(upgraded, b => b.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate).DisableAutomaticKeyGeneration());
        Assert.Equal("secret", withCertificate.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedBeforeUpgrade));
        await using var withoutCertificate = DataProtection(upgraded, b => b.DisableAutomaticKeyGeneration());
        Assert.Null(new SecretProtector(withoutCertificate.GetRequiredService<IDataProtectionProvider>()).TryUnprotect("test", protectedBeforeUpgrade));
    }

    [Fact]
    public async Task A_key_the_framework_already_encrypted_is_left_as_it_is()
    {
        using var certificate = TestKeyFiles.NewRsaCertificate();
        using var database = new TestDatabase();
        await using (var framework = DataProtection(database, b => b.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate)))
        {
            ProtectSomething(framework);
        }
        var key = XElement.Parse(Assert.Single(await KeysAsync(database)));
        var before = key.ToString();

        Assert.False(StoredKeyProtection.EncryptPlaintextSecrets(key, new CertificateXmlEncryptor(certificate, NullLoggerFactory.Instance)));
        Assert.Equal(before, key.ToString());
    }

    // ---- The key file ------------------------------------------------------------------------------------------------

    [Fact]
    public void A_created_key_file_is_owner_only_opens_with_its_password_and_with_no_other()
    {
        using var created = KeyFile.Create(KeyPath, "correct horse", DateTimeOffset.UtcNow);

        Assert.True(created.HasPrivateKey);
        using (var rsa = created.GetRSAPrivateKey())
        {
            Assert.Equal(3072, rsa!.KeySize);
        }
        using var reopened = KeyFile.Open(KeyPath, "correct horse");
        Assert.Equal(created.Thumbprint, reopened.Thumbprint);
        Assert.Contains("DataProtection:CertificatePassword does not open the key file", Assert.Throws<KeyFileException>(() => KeyFile.Open(KeyPath, "wrong")).Message, StringComparison.Ordinal);
        Assert.Contains("DataProtection:CertificatePassword is not set", Assert.Throws<KeyFileException>(() => KeyFile.Open(KeyPath, null)).Message, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows()) // Windows has no file modes; the tests run on Linux
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
            Assert.False(KeyFile.IsOpenToOthers(KeyPath));
        }
        Assert.Single(Directory.GetFiles(folder)); // no temporary file left behind
    }

    [Fact]
    public void Start_validation_names_the_setting_and_the_fix_for_each_unusable_key_file()
    {
        var validation = new KeyFileValidation(folder);
        string? Failure(string path, string? password = null)
        {
            var result = validation.Validate(null, new DataProtectionKeyOptions { CertificatePath = path, CertificatePassword = password });
            return result.Failed ? result.FailureMessage : null;
        }
        TestKeyFiles.WriteRsa(Path.Combine(folder, "good.pfx"), "pw");
        TestKeyFiles.WriteWithoutPrivateKey(Path.Combine(folder, "public.pfx"));
        TestKeyFiles.WriteEcdsa(Path.Combine(folder, "ecdsa.pfx"));
        File.WriteAllText(Path.Combine(folder, "text.pfx"), "not a certificate");
        Directory.CreateDirectory(Path.Combine(folder, "a-folder"));

        Assert.Null(Failure("good.pfx", "pw"));
        Assert.Null(Failure("not-there-yet.pfx"));
        Assert.StartsWith("DataProtection:CertificatePassword does not open the key file", Failure("good.pfx", "wrong"), StringComparison.Ordinal);
        Assert.Contains("set the environment variable DataProtection__CertificatePassword", Failure("good.pfx"), StringComparison.Ordinal);
        Assert.Contains("or is not a PKCS#12 (.pfx) file", Failure("text.pfx"), StringComparison.Ordinal);
        Assert.StartsWith($"DataProtection:CertificatePath {Path.Combine(folder, "public.pfx")} holds a certificate without its private key", Failure("public.pfx"), StringComparison.Ordinal);
        Assert.Contains("Data Protection encrypts its keys with RSA", Failure("ecdsa.pfx"), StringComparison.Ordinal);
        Assert.StartsWith($"DataProtection:CertificatePath {Path.Combine(folder, "a-folder")} is a folder", Failure("a-folder"), StringComparison.Ordinal);
        Assert.Contains("DataProtection:CertificatePath is empty", string.Join(" ", ValidateAnnotations(new DataProtectionKeyOptions { CertificatePath = " " })), StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_key_file_that_others_may_read_is_used_with_a_warning_to_restrict_it()
    {
        TestKeyFiles.WriteRsa(KeyPath, null);
        if (!OperatingSystem.IsWindows()) // Windows has no file modes; the tests run on Linux
        {
            File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        using var logs = new LogCapture();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        var keyFile = new KeyRingCertificate(Options.Create(new DataProtectionKeyOptions { CertificatePath = KeyPath }), folder,
            loggerFactory.CreateLogger<KeyRingCertificate>(), TimeProvider.System);

        Assert.True(keyFile.Certificate.HasPrivateKey);
        Assert.False(keyFile.CreatedNow);
        var warning = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains($"The Data Protection key file {KeyPath} can be read by other users of this machine", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_that_cannot_be_created_names_the_setting()
    {
        Directory.CreateDirectory(folder);
        var aFile = Path.Combine(folder, "file");
        File.WriteAllText(aFile, "");

        var failure = Assert.Throws<KeyFileException>(() => KeyFile.Create(Path.Combine(aFile, "data-protection.pfx"), null, DateTimeOffset.UtcNow));

        Assert.StartsWith("DataProtection:CertificatePath: no key file exists at", failure.Message, StringComparison.Ordinal);
        Assert.Contains("make its folder writable for the portal's user account", failure.Message, StringComparison.Ordinal);
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------------

    private static ServiceProvider DataProtection(TestDatabase database, Action<IDataProtectionBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        database.Register(services);
        configure(services.AddDataProtection().SetApplicationName("Portal").PersistKeysToDbContext<PortalDbContext>());
        return services.BuildServiceProvider();
    }

    private static string ProtectSomething(ServiceProvider dataProtection) =>
        dataProtection.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("secret");

    private static async Task<List<string>> KeysAsync(TestDatabase database)
    {
        await using var db = database.CreateContext();
        return await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml!).ToListAsync();
    }

    private static async Task ReplaceKeyAsync(TestDatabase database, XElement key)
    {
        await using var db = database.CreateContext();
        (await db.DataProtectionKeys.SingleAsync()).Xml = key.ToString(SaveOptions.DisableFormatting);
        await db.SaveChangesAsync();
    }

    /// <summary>Element names and attribute names, in document order: what stays the same between two keys.</summary>
    private static string Shape(XElement key) => string.Join("\n", key.DescendantsAndSelf().Select(e =>
        $"{e.Name} {string.Join(' ', e.Attributes().Where(a => !a.IsNamespaceDeclaration).Select(a => a.Name == "decryptorType" || a.Name == "Algorithm" || a.Name == "Type" ? $"{a.Name}={a.Value}" : a.Name.ToString()))}"));

    private static IEnumerable<string> ValidateAnnotations(DataProtectionKeyOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!);
    }

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
