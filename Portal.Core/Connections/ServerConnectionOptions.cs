using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Core.Connections;

/// <summary>How the portal talks to every integration's server: the <c>Servers</c> section of appsettings.json.</summary>
public sealed class ServerConnectionOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Servers";

    /// <summary>How long a detection or status check waits for the server's answer before reporting a timeout (default 5 seconds).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Optional path to a PEM file with extra root CA certificates to trust for the servers' https certificates,
    /// for servers behind an internal or self-signed CA. The operating system's trusted roots still apply.
    /// </summary>
    public string? TrustedCaFile { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ProbeTimeout <= TimeSpan.Zero || ProbeTimeout > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult(
                $"Servers:ProbeTimeout '{ProbeTimeout}' is out of range: set it between 00:00:00.1 and 00:05:00, e.g. \"00:00:05\".",
                [nameof(ProbeTimeout)]);
        }
        if (!string.IsNullOrWhiteSpace(TrustedCaFile) && TrustedCaFileProblem(TrustedCaFile) is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(TrustedCaFile)]);
        }
    }

    /// <summary>Why the PEM file at <paramref name="path"/> cannot be used, or <c>null</c> when it can.</summary>
    public static string? TrustedCaFileProblem(string path)
    {
        if (!File.Exists(path))
        {
            return $"Servers:TrustedCaFile '{path}' does not exist: set it to a PEM file with the CA certificates to trust, or remove the setting.";
        }
        try
        {
            return LoadTrustedCertificates(path).Count == 0
                ? $"Servers:TrustedCaFile '{path}' contains no certificate: it must hold one or more \"-----BEGIN CERTIFICATE-----\" blocks."
                : null;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return $"Servers:TrustedCaFile '{path}' cannot be read as PEM certificates ({e.Message}): export the CA certificate as Base64 (PEM).";
        }
    }

    public static X509Certificate2Collection LoadTrustedCertificates(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates;
    }
}
