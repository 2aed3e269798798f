using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Core.Security;

/// <summary>
/// The certificate that encrypts the Data Protection keys stored in the database, read from the key file at
/// <c>DataProtection:CertificatePath</c>, or created there on first start. A key file that cannot be used stops the
/// portal with an <see cref="OptionsValidationException"/> naming the setting.
/// </summary>
public sealed class KeyRingCertificate
{
    private readonly IOptions<DataProtectionKeyOptions> options;
    private readonly string contentRootPath;
    private readonly ILogger<KeyRingCertificate> logger;
    private readonly TimeProvider time;
    private readonly Lazy<X509Certificate2> certificate;

    // The options are read on first use, not here: the web pipeline creates this before start validation runs.
    internal KeyRingCertificate(IOptions<DataProtectionKeyOptions> options, string contentRootPath, ILogger<KeyRingCertificate> logger, TimeProvider time)
    {
        this.options = options;
        this.contentRootPath = contentRootPath;
        this.logger = logger;
        this.time = time;
        certificate = new Lazy<X509Certificate2>(OpenOrCreate);
    }

    /// <summary>The key file's absolute path.</summary>
    public string FilePath => options.Value.FullCertificatePath(contentRootPath);

    /// <summary>True when this start found no key file and created a new one.</summary>
    public bool CreatedNow { get; private set; }

    /// <summary>Deletes the key file this start created, when a start-up step refuses to go on with it.</summary>
    public void DeleteCreated()
    {
        if (CreatedNow)
        {
            File.Delete(FilePath);
            CreatedNow = false;
        }
    }

    /// <summary>The certificate with its private key; opened (or created) on first use.</summary>
    public X509Certificate2 Certificate => certificate.Value;

    private X509Certificate2 OpenOrCreate()
    {
        var path = FilePath;
        var password = options.Value.CertificatePassword;
        try
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                var created = KeyFile.Create(path, password, time.GetUtcNow());
                CreatedNow = true;
                logger.LogWarning(
                    "Created the Data Protection key file {KeyFile}{PasswordNote}. It encrypts the keys in the database that protect client secrets, tokens and sign-in cookies: back it up now, apart from the database backups. Without it those secrets cannot be read; whoever has it and a copy of the database can read them.",
                    path, string.IsNullOrEmpty(password)
                        ? " without a password (set DataProtection__CertificatePassword before the first start to give it one)"
                        : ", protected by DataProtection:CertificatePassword");
                return created;
            }
            var opened = KeyFile.Open(path, password);
            if (KeyFile.IsOpenToOthers(path))
            {
                logger.LogWarning("The Data Protection key file {KeyFile} can be read by other users of this machine: restrict it to the portal's user account (chmod 600).", path);
            }
            return opened;
        }
        catch (KeyFileException e)
        {
            throw new OptionsValidationException(DataProtectionKeyOptions.Section, typeof(DataProtectionKeyOptions), [e.Message]);
        }
    }
}

/// <summary>Checks at start that an existing key file opens with the configured password and holds an RSA private key.</summary>
internal sealed class KeyFileValidation(string contentRootPath) : IValidateOptions<DataProtectionKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, DataProtectionKeyOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            return ValidateOptionsResult.Skip; // the data annotations name the empty setting
        }
        var path = options.FullCertificatePath(contentRootPath);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            return ValidateOptionsResult.Success; // created on first start
        }
        try
        {
            KeyFile.Open(path, options.CertificatePassword).Dispose();
            return ValidateOptionsResult.Success;
        }
        catch (KeyFileException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
