using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Portal.Core.Platforms;

namespace Portal.Core.Connections;

/// <summary>Words a refused server certificate: what is wrong with it and who fixes it where.</summary>
public static class CertificateRejection
{
    /// <summary>The failure for <paramref name="rejected"/>, the certificate of <paramref name="serverName"/> at <paramref name="uri"/>.</summary>
    public static ServerDetection Describe(Uri uri, ServerCertificateRejectedException rejected, ServerConnectionOptions options, string serverName)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(rejected);
        ArgumentNullException.ThrowIfNull(options);
        var c = rejected;
        var where = ConnectionText.HostAndPort(uri);
        var certificate = $"subject \"{c.Subject}\", issued by \"{c.Issuer}\"";
        if (c.Errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            var names = c.DnsNames.Count == 0 ? "no host names" : string.Join(", ", c.DnsNames);
            return ServerDetection.Fail(ProbeFailureKind.TlsOther,
                $"The certificate of {where} ({certificate}) is not valid for {uri.IdnHost}; it covers {names}: use a host name the certificate covers in the base URL, or reissue the certificate.");
        }
        if (c.ChainStatus.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            var validity = c.NotAfter < DateTime.Now
                ? $"expired on {c.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"
                : $"is not valid before {c.NotBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
            return ServerDetection.Fail(ProbeFailureKind.TlsOther,
                $"The certificate of {where} ({certificate}) {validity}: renew it on {serverName}'s server or proxy, and check the clocks of both machines.");
        }
        if (c.ChainStatus.HasFlag(X509ChainStatusFlags.Revoked))
        {
            return ServerDetection.Fail(ProbeFailureKind.TlsOther,
                $"The certificate of {where} ({certificate}) has been revoked by its issuer: install a new certificate on {serverName}'s server or proxy.");
        }

        var hint = c.IsSelfSigned
            ? "The certificate is self-signed: trusting it means trusting this certificate itself (put it in the PEM file)."
            : c.CustomRootsConfigured
                ? $"{ServerConnectionOptions.Section}:TrustedCaFile is set, but none of its certificates issued this one: add the root CA of \"{c.Issuer}\" to it."
                : null;
        if (c.IntegrationTrustConfigured)
        {
            hint = "The certificate this integration trusts did not issue this one (the server's certificate or CA may have changed): check the chain below, then trust it again on the integration's Trusted certificate page.";
        }
        if (!string.IsNullOrWhiteSpace(options.TrustedCaFile) && ServerConnectionOptions.TrustedCaFileProblem(options.TrustedCaFile) is { } problem)
        {
            hint = problem;
        }
        return ServerDetection.Fail(ProbeFailureKind.TlsUntrusted,
            $"The certificate of {where} is not trusted ({certificate}): install the issuing CA certificate on the portal's machine, or set {ServerConnectionOptions.Section}:TrustedCaFile to a PEM file that contains it.",
            hint) with { PresentedChain = c.PresentedChain };
    }
}
