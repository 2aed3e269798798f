using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>
/// Accepts what the operating system trusts, plus certificates that chain to a root from
/// <see cref="BitbucketClientOptions.TrustedCaFile"/>; rejects the rest by throwing
/// <see cref="ServerCertificateRejectedException"/> with the certificate's subject and issuer.
/// </summary>
internal sealed class BitbucketServerCertificateValidator(X509Certificate2Collection trustedRoots)
{
    public static BitbucketServerCertificateValidator FromOptions(BitbucketClientOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.TrustedCaFile)
            || BitbucketClientOptions.TrustedCaFileProblem(options.TrustedCaFile) is not null)
        {
            return new BitbucketServerCertificateValidator([]);
        }
        return new BitbucketServerCertificateValidator(BitbucketClientOptions.LoadTrustedCertificates(options.TrustedCaFile));
    }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (certificate is null)
        {
            return false;
        }

        using var owned = certificate as X509Certificate2 is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        var leaf = certificate as X509Certificate2 ?? owned!;
        if (errors == SslPolicyErrors.RemoteCertificateChainErrors && trustedRoots.Count > 0 && ChainsToTrustedRoot(leaf, chain))
        {
            return true;
        }

        var chainStatus = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, status) => all | status.Status)
            ?? X509ChainStatusFlags.NoError;
        throw new ServerCertificateRejectedException(
            leaf.Subject, leaf.Issuer, errors, chainStatus, leaf.NotBefore, leaf.NotAfter, DnsNames(leaf), trustedRoots.Count > 0);
    }

    private bool ChainsToTrustedRoot(X509Certificate2 leaf, X509Chain? presented)
    {
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(trustedRoots);
        // Internal CAs rarely publish a revocation list the portal can reach.
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements.Skip(1))
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return custom.Build(leaf);
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
