using Portal.Core.Configuration;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Persistence;

namespace Portal.Core.Security;

/// <summary>Registers the encryption of the Data Protection key ring with the key file.</summary>
public static class KeyRingEncryption
{
    /// <summary>
    /// Encrypts the key ring at rest with the certificate of the key file at <c>DataProtection:CertificatePath</c>
    /// (created on first start), validated at start; <see cref="StoredKeyProtection"/> upgrades keys stored unencrypted.
    /// </summary>
    /// <remarks>
    /// ProtectKeysWithCertificate and UnprotectKeysWithAnyCertificate take the certificate itself, before configuration
    /// is read (dotnet/aspnetcore#23033), and the web pipeline builds Data Protection's options before start validation
    /// could report a bad key file. So the key file is opened when a key is first encrypted or decrypted, and the
    /// framework's own pieces then do the work: <see cref="CertificateXmlEncryptor"/>, and the decryption certificate
    /// setup that UnprotectKeysWithAnyCertificate registers (its options type is internal).
    /// </remarks>
    public static IDataProtectionBuilder ProtectKeysWithKeyFile(this IDataProtectionBuilder builder, string contentRootPath)
    {
        var services = builder.Services;
        services.AddSettings<DataProtectionKeyOptions>(DataProtectionKeyOptions.Section);
        services.AddSingleton<IValidateOptions<DataProtectionKeyOptions>>(new KeyFileValidation(contentRootPath));
        services.AddSingleton(sp => new KeyRingCertificate(sp.GetRequiredService<IOptions<DataProtectionKeyOptions>>(), contentRootPath,
            sp.GetRequiredService<ILogger<KeyRingCertificate>>(), sp.GetRequiredService<TimeProvider>()));

        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(options =>
            options.XmlEncryptor = new KeyFileXmlEncryptor(sp.GetRequiredService<KeyRingCertificate>(), sp.GetRequiredService<ILoggerFactory>())));

        // Without it, decryption looks the certificate up in a certificate store, where it is not (always so on Linux).
        var decryptionSetup = DecryptionSetupFor().ServiceType;
        services.Add(ServiceDescriptor.Singleton(decryptionSetup, sp =>
            Instance(DecryptionSetupFor(sp.GetRequiredService<KeyRingCertificate>().Certificate), sp)));

        services.AddScoped<StoredKeyProtection>();
        services.AddScoped<IDatabaseStartupStep>(sp => sp.GetRequiredService<StoredKeyProtection>());
        return builder;
    }

    /// <summary>The options setup <see cref="DataProtectionBuilderExtensions.UnprotectKeysWithAnyCertificate"/> registers for these certificates.</summary>
    private static ServiceDescriptor DecryptionSetupFor(params X509Certificate2[] certificates)
    {
        var registrations = new ServiceCollection();
        new ScratchBuilder(registrations).UnprotectKeysWithAnyCertificate(certificates);
        return registrations.Single(d => d.ServiceType.IsConstructedGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IConfigureOptions<>));
    }

    private static object Instance(ServiceDescriptor descriptor, IServiceProvider services) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);

    private sealed class ScratchBuilder(IServiceCollection services) : IDataProtectionBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    /// <summary>
    /// The <see cref="CertificateXmlEncryptor"/> ProtectKeysWithCertificate configures, made when the first key is
    /// encrypted: by then start validation has vetted the key file.
    /// </summary>
    private sealed class KeyFileXmlEncryptor(KeyRingCertificate keyFile, ILoggerFactory loggerFactory) : IXmlEncryptor
    {
        private readonly Lazy<CertificateXmlEncryptor> encryptor = new(() => new CertificateXmlEncryptor(keyFile.Certificate, loggerFactory));

        public EncryptedXmlInfo Encrypt(XElement plaintextElement) => encryptor.Value.Encrypt(plaintextElement);
    }
}
