using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Security;

namespace Portal.Core.Audit;

/// <summary>The details audit entries carry, worded once; only public values (names, URLs, Client IDs), never secrets.</summary>
public static class AuditDetails
{
    public static string Describe(OAuthVersion version) => version == OAuthVersion.OAuth1 ? "OAuth 1.0a" : "OAuth 2.0";

    /// <param name="platformName">The integration's platform as people know it.</param>
    public static string Created(Integration integration, string platformName) =>
        $"{platformName} at {integration.BaseUrl}, {Describe(integration.OAuthVersion)}"
        + (integration.OAuthVersion == OAuthVersion.OAuth2 ? $", Client ID {integration.ClientId}" : $", Consumer Key {integration.ConsumerKey}");

    /// <summary>A trusted CA certificate by its public facts; its PEM body never goes into an entry.</summary>
    public static string Certificate(CertificateDetails certificate) =>
        $"{certificate.Subject}, issued by {certificate.Issuer}, valid until {certificate.NotAfter:yyyy-MM-dd}, SHA-256 {certificate.Sha256Fingerprint}";

    public static string Deleted(int endedSessions, int orphanedAccounts) =>
        $"{Count(endedSessions, "portal session")} ended; {Count(orphanedAccounts, "account")} left without another integration (orphaned, kept on People).";

    /// <param name="changes">Each change as <see cref="FromTo"/> words it, or its label alone.</param>
    public static string Edited(IReadOnlyList<string> changes, bool markedNotVerified) =>
        $"Changed: {string.Join("; ", changes)}." + (markedNotVerified ? " Marked Not verified: verify it again." : "");

    public static string FromTo(string label, string before, string after) => $"{label} {before} → {after}";

    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
