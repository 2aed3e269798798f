using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Portal.Core.Security;

namespace Portal.Core.Connections;

/// <summary>
/// Accepts what the operating system trusts, plus certificates that chain to a root from
/// <see cref="ServerConnectionOptions.TrustedCaFile"/>, plus (for one integration) certificates whose chain reaches
/// the certificate that integration trusts (<see cref="OutboundTrust"/>); rejects the rest by throwing
/// <see cref="ServerCertificateRejectedException"/> with the certificate's subject, issuer and the chain presented.
/// Host name mismatches are never accepted.
/// </summary>
public sealed class ServerCertificateValidator(X509Certificate2Collection trustedRoots, X509Certificate2Collection? integrationAnchors = null)
{
    private readonly X509Certificate2Collection integrationAnchors = integrationAnchors ?? [];

    public static ServerCertificateValidator FromOptions(ServerConnectionOptions options, OutboundTrust? integrationTrust = null)
    {
        var anchors = integrationTrust?.Anchors;
        if (string.IsNullOrWhiteSpace(options.TrustedCaFile)
            || ServerConnectionOptions.TrustedCaFileProblem(options.TrustedCaFile) is not null)
        {
            return new ServerCertificateValidator([], anchors);
        }
        return new ServerCertificateValidator(ServerConnectionOptions.LoadTrustedCertificates(options.TrustedCaFile), anchors);
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        Check(certificate, chain, errors) != CertificateTrust.Rejected;

    /// <summary>How <paramref name="certificate"/> is trusted; throws <see cref="ServerCertificateRejectedException"/> when it is not.</summary>
    public CertificateTrust Check(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return CertificateTrust.System;
        }
        if (certificate is null)
        {
            return CertificateTrust.Rejected;
        }

        using var owned = certificate as X509Certificate2 is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        var leaf = certificate as X509Certificate2 ?? owned!;
        if (errors == SslPolicyErrors.RemoteCertificateChainErrors)
        {
            if (trustedRoots.Count > 0 && ChainsToTrustedRoot(leaf, chain))
            {
                return CertificateTrust.TrustedCaFile;
            }
            if (integrationAnchors.Count > 0 && ChainsToIntegrationAnchor(leaf, chain))
            {
                return CertificateTrust.Integration;
            }
        }

        var chainStatus = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, status) => all | status.Status)
            ?? X509ChainStatusFlags.NoError;
        throw new ServerCertificateRejectedException(
            leaf.Subject, leaf.Issuer, errors, chainStatus, leaf.NotBefore, leaf.NotAfter, DnsNames(leaf), trustedRoots.Count > 0)
        {
            PresentedChain = Presented(leaf, chain),
            IntegrationTrustConfigured = integrationAnchors.Count > 0,
        };
    }

    private bool ChainsToTrustedRoot(X509Certificate2 leaf, X509Chain? presented)
    {
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(trustedRoots);
        // Internal CAs rarely publish a revocation list the portal can reach.
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        AddPresented(custom, presented);
        return custom.Build(leaf);
    }

    /// <summary>
    /// The integration may trust a root, an intermediate (when the server never sends its root) or a self-signed
    /// server certificate, so the chain is built with every signature and validity period checked, and accepted when
    /// one of its certificates is exactly a trusted one.
    /// </summary>
    private bool ChainsToIntegrationAnchor(X509Certificate2 leaf, X509Chain? presented)
    {
        using var custom = new X509Chain();
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.DisableCertificateDownloads = true;
        // Only an unknown root is forgiven here; the anchor match below is what grants trust.
        custom.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
        custom.ChainPolicy.ExtraStore.AddRange(integrationAnchors);
        AddPresented(custom, presented);
        if (!custom.Build(leaf))
        {
            return false;
        }
        return custom.ChainElements.Any(element =>
            integrationAnchors.Any(anchor => anchor.RawData.AsSpan().SequenceEqual(element.Certificate.RawData)));
    }

    private static void AddPresented(X509Chain custom, X509Chain? presented)
    {
        if (presented is null)
        {
            return;
        }
        foreach (var element in presented.ChainElements.Skip(1))
        {
            custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        custom.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
    }

    private static List<CertificateDetails> Presented(X509Certificate2 leaf, X509Chain? chain)
    {
        var certificates = chain is { ChainElements.Count: > 0 }
            ? chain.ChainElements.Select(e => e.Certificate).ToList()
            : [leaf];
        return certificates.Select(CertificateDetails.From).ToList();
    }

    private static List<string> DnsNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
            names.AddRange(extension.EnumerateIPAddresses().Select(address => address.ToString()));
        }
        return names;
    }
}

/// <summary>Why a server certificate was accepted.</summary>
public enum CertificateTrust
{
    Rejected,
    System,
    TrustedCaFile,
    Integration,
}
