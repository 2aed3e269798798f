using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Portal.Core.Security;

namespace Portal.Core.Connections;

/// <summary>
/// Thrown from the certificate validation callback so the details of the rejected certificate travel with the
/// failed request (as an inner exception of its <see cref="HttpRequestException"/>) instead of through shared state.
/// </summary>
public sealed class ServerCertificateRejectedException : Exception
{
    public ServerCertificateRejectedException(
        string subject, string issuer, SslPolicyErrors errors, X509ChainStatusFlags chainStatus,
        DateTime notBefore, DateTime notAfter, IReadOnlyList<string> dnsNames, bool customRootsConfigured)
        : base($"The server certificate \"{subject}\" issued by \"{issuer}\" was rejected: {errors} ({chainStatus}).")
    {
        Subject = subject;
        Issuer = issuer;
        Errors = errors;
        ChainStatus = chainStatus;
        NotBefore = notBefore;
        NotAfter = notAfter;
        DnsNames = dnsNames;
        CustomRootsConfigured = customRootsConfigured;
    }

    public string Subject { get; }
    public string Issuer { get; }
    public SslPolicyErrors Errors { get; }
    public X509ChainStatusFlags ChainStatus { get; }
    public DateTime NotBefore { get; }
    public DateTime NotAfter { get; }
    public IReadOnlyList<string> DnsNames { get; }
    public bool CustomRootsConfigured { get; }
    public bool IsSelfSigned => Subject == Issuer;

    /// <summary>The chain as the portal could build it from what the server sent: the server's certificate first.</summary>
    public IReadOnlyList<CertificateDetails> PresentedChain { get; init; } = [];

    /// <summary>Whether the integration trusts a certificate of its own that did not help.</summary>
    public bool IntegrationTrustConfigured { get; init; }
}
