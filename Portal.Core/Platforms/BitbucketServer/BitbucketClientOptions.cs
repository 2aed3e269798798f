using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>How the portal talks to Bitbucket servers: the <c>Bitbucket</c> section of appsettings.json.</summary>
public sealed class BitbucketClientOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Bitbucket";

    /// <summary>How long a version probe waits for Bitbucket's answer before reporting a timeout (default 5 seconds).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Optional path to a PEM file with extra root CA certificates to trust for Bitbucket's https certificate,
    /// for servers behind an internal or self-signed CA. The operating system's trusted roots still apply.
    /// </summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>
    /// How many pages of Bitbucket's user search (<see cref="BitbucketEndpoints.UserSearchPageSize"/> users each) the
    /// portal reads at most to find who signed in (default 50). The search matches names, display names and e-mail
    /// addresses, so a short name can match thousands of users.
    /// </summary>
    public int UserSearchMaxPages { get; set; } = 50;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ProbeTimeout <= TimeSpan.Zero || ProbeTimeout > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult(
                $"Bitbucket:ProbeTimeout '{ProbeTimeout}' is out of range: set it between 00:00:00.1 and 00:05:00, e.g. \"00:00:05\".",
                [nameof(ProbeTimeout)]);
        }
        if (UserSearchMaxPages is < 1 or > 1000)
        {
            yield return new ValidationResult(
                $"Bitbucket:UserSearchMaxPages '{UserSearchMaxPages}' is out of range: set it between 1 and 1000 (default 50).",
                [nameof(UserSearchMaxPages)]);
        }
        if (!string.IsNullOrWhiteSpace(TrustedCaFile) && TrustedCaFileProblem(TrustedCaFile) is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(TrustedCaFile)]);
        }
    }

    /// <summary>Why the PEM file at <paramref name="path"/> cannot be used, or <c>null</c> when it can.</summary>
    internal static string? TrustedCaFileProblem(string path)
    {
        if (!File.Exists(path))
        {
            return $"Bitbucket:TrustedCaFile '{path}' does not exist: set it to a PEM file with the CA certificates to trust, or remove the setting.";
        }
        try
        {
            return LoadTrustedCertificates(path).Count == 0
                ? $"Bitbucket:TrustedCaFile '{path}' contains no certificate: it must hold one or more \"-----BEGIN CERTIFICATE-----\" blocks."
                : null;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return $"Bitbucket:TrustedCaFile '{path}' cannot be read as PEM certificates ({e.Message}): export the CA certificate as Base64 (PEM).";
        }
    }

    internal static X509Certificate2Collection LoadTrustedCertificates(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates;
    }
}
