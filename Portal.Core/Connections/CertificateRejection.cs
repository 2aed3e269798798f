using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Portal.Core.Platforms;
using Portal.Core.Security;

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
            return ServerDetection.Fail(ProbeFailureKind.TlsOther, OutsideValidity(c, where, certificate, serverName));
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
            // A chain that ends at the server's own certificate: the server did not send the CA that issued it.
            hint = c.PresentedChain.Count <= 1 && !c.IsSelfSigned
                ? $"The server sent only its own certificate, without the CA certificate that issued it (\"{c.Issuer}\"), so the portal cannot link it to the certificate this integration trusts: trust the certificate of \"{c.Issuer}\" instead, or configure {serverName}'s server or proxy to send its full chain."
                : "The certificate this integration trusts did not issue this one (the server's certificate or CA may have changed): check the chain below, then trust it again on the integration's Trusted certificate page.";
        }
        if (!string.IsNullOrWhiteSpace(options.TrustedCaFile) && ServerConnectionOptions.TrustedCaFileProblem(options.TrustedCaFile) is { } problem)
        {
            hint = problem;
        }
        return ServerDetection.Fail(ProbeFailureKind.TlsUntrusted,
            $"The certificate of {where} is not trusted ({certificate}): install the issuing CA certificate on the portal's machine, or set {ServerConnectionOptions.Section}:TrustedCaFile to a PEM file that contains it.",
            hint) with { PresentedChain = c.PresentedChain };
    }

    /// <summary>
    /// Names the certificate that is out of its validity period: the server's own, or a CA certificate in its chain
    /// (an expired root or intermediate while the server's certificate is still valid).
    /// </summary>
    private static string OutsideValidity(ServerCertificateRejectedException c, string where, string certificate, string serverName)
    {
        var now = DateTimeOffset.UtcNow;
        var leafValid = c.NotBefore <= DateTime.Now && DateTime.Now <= c.NotAfter;
        var caOutside = leafValid ? c.PresentedChain.Skip(1).FirstOrDefault(e => e.NotAfter < now || e.NotBefore > now) : null;
        if (caOutside is not null)
        {
            var caValidity = caOutside.NotAfter < now
                ? $"expired on {CertificateDetails.Date(caOutside.NotAfter)}"
                : $"is not valid before {CertificateDetails.Date(caOutside.NotBefore)}";
            return $"The CA certificate \"{caOutside.Subject}\" in the chain of {where}'s certificate ({certificate}) {caValidity}, although the " +
                $"server's own certificate is still valid: install the CA's current certificate (and a certificate it issued, if the old " +
                $"one was replaced) on {serverName}'s server or proxy, and wherever the portal trusts it; check the clocks of both machines.";
        }
        if (leafValid)
        {
            return $"A CA certificate in the chain of {where}'s certificate ({certificate}) is outside its validity period, although the " +
                $"server's own certificate is still valid: check the chain's dates, install the CA's current certificate on {serverName}'s " +
                "server or proxy and wherever the portal trusts it, and check the clocks of both machines.";
        }
        var validity = c.NotAfter < DateTime.Now
            ? $"expired on {c.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"
            : $"is not valid before {c.NotBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
        return $"The certificate of {where} ({certificate}) {validity}: renew it on {serverName}'s server or proxy, and check the clocks of both machines.";
    }
}
