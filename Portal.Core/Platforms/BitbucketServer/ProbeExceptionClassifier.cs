using System.Globalization;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Portal.Core.Security;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>Turns a failed request into a <see cref="BitbucketProbeResult"/> that names the cause and the fix.</summary>
internal static class ProbeExceptionClassifier
{
    public static BitbucketProbeResult TimedOut(Uri uri, TimeSpan timeout) =>
        BitbucketProbeResult.Fail(ProbeFailureKind.Timeout,
            $"{HostAndPort(uri)} did not answer within {Seconds(timeout)}: check that Bitbucket is running and that no firewall or proxy drops the connection.",
            "A slow start after a Bitbucket restart can take minutes; try again then. Bitbucket:ProbeTimeout sets how long the portal waits.");

    public static BitbucketProbeResult ConnectionDropped(Uri uri, IOException e) =>
        BitbucketProbeResult.Fail(ProbeFailureKind.Unreachable,
            $"The connection to {HostAndPort(uri)} broke off while Bitbucket was answering ({e.Message}): check the proxy or load balancer in front of Bitbucket, then try again.");

    public static BitbucketProbeResult Classify(Uri uri, HttpRequestException e, TimeSpan timeout, BitbucketClientOptions options)
    {
        if (Find<ServerCertificateRejectedException>(e) is { } rejected)
        {
            return CertificateRejected(uri, rejected, options);
        }
        if (LinkLocalAddressRefusedException.FindIn(e) is { } refused)
        {
            return AddressRefused(refused);
        }

        var socketError = Find<SocketException>(e)?.SocketErrorCode;
        return (e.HttpRequestError, socketError) switch
        {
            (HttpRequestError.NameResolutionError, _) or (_, SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain) =>
                BitbucketProbeResult.Fail(ProbeFailureKind.DnsFailure,
                    $"The host name {uri.IdnHost} could not be found: check the spelling or the DNS.",
                    "The portal resolves the name on its own machine; if it runs in a container, that container needs your internal DNS."),
            (_, SocketError.ConnectionRefused) =>
                BitbucketProbeResult.Fail(ProbeFailureKind.ConnectionRefused,
                    $"Nothing accepts connections at {HostAndPort(uri)}: check the port in the base URL and that Bitbucket (or its proxy) is running."),
            (_, SocketError.TimedOut) => TimedOut(uri, timeout),
            (HttpRequestError.SecureConnectionError, _) =>
                BitbucketProbeResult.Fail(ProbeFailureKind.TlsOther,
                    $"The TLS handshake with {HostAndPort(uri)} failed ({Innermost(e).Message}): check that this port serves https, or use http:// if it serves plain http.",
                    "Bitbucket or its proxy must offer TLS 1.2 or later."),
            (HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded, _) when uri.Scheme == Uri.UriSchemeHttp =>
                BitbucketProbeResult.Fail(ProbeFailureKind.Unreachable,
                    $"{HostAndPort(uri)} did not answer with plain HTTP: if that port serves https, use https:// in the base URL."),
            _ =>
                BitbucketProbeResult.Fail(ProbeFailureKind.Unreachable,
                    $"The portal could not reach {HostAndPort(uri)} ({Innermost(e).Message}): check the network route and firewalls between the portal's machine and Bitbucket."),
        };
    }

    internal static BitbucketProbeResult AddressRefused(LinkLocalAddressRefusedException refused) =>
        BitbucketProbeResult.Fail(ProbeFailureKind.AddressRefused, refused.Message);

    internal static BitbucketProbeResult CertificateRejected(Uri uri, ServerCertificateRejectedException c, BitbucketClientOptions options)
    {
        var where = HostAndPort(uri);
        var certificate = $"subject \"{c.Subject}\", issued by \"{c.Issuer}\"";
        if (c.Errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            var names = c.DnsNames.Count == 0 ? "no host names" : string.Join(", ", c.DnsNames);
            return BitbucketProbeResult.Fail(ProbeFailureKind.TlsOther,
                $"The certificate of {where} ({certificate}) is not valid for {uri.IdnHost}; it covers {names}: use a host name the certificate covers in the base URL, or reissue the certificate.");
        }
        if (c.ChainStatus.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            var validity = c.NotAfter < DateTime.Now
                ? $"expired on {c.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"
                : $"is not valid before {c.NotBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
            return BitbucketProbeResult.Fail(ProbeFailureKind.TlsOther,
                $"The certificate of {where} ({certificate}) {validity}: renew it on Bitbucket's server or proxy, and check the clocks of both machines.");
        }
        if (c.ChainStatus.HasFlag(X509ChainStatusFlags.Revoked))
        {
            return BitbucketProbeResult.Fail(ProbeFailureKind.TlsOther,
                $"The certificate of {where} ({certificate}) has been revoked by its issuer: install a new certificate on Bitbucket's server or proxy.");
        }

        var hint = c.IsSelfSigned
            ? "The certificate is self-signed: trusting it means trusting this certificate itself (put it in the PEM file)."
            : c.CustomRootsConfigured
                ? $"Bitbucket:TrustedCaFile is set, but none of its certificates issued this one: add the root CA of \"{c.Issuer}\" to it."
                : null;
        if (c.IntegrationTrustConfigured)
        {
            hint = "The certificate this integration trusts did not issue this one (the server's certificate or CA may have changed): check the chain below, then trust it again on the integration's Trusted certificate page.";
        }
        if (!string.IsNullOrWhiteSpace(options.TrustedCaFile) && BitbucketClientOptions.TrustedCaFileProblem(options.TrustedCaFile) is { } problem)
        {
            hint = problem;
        }
        return BitbucketProbeResult.Fail(ProbeFailureKind.TlsUntrusted,
            $"The certificate of {where} is not trusted ({certificate}): install the issuing CA certificate on the portal's machine, or set Bitbucket:TrustedCaFile to a PEM file that contains it.",
            hint) with { PresentedChain = c.PresentedChain };
    }

    private static string HostAndPort(Uri uri) => string.Create(CultureInfo.InvariantCulture, $"{uri.Host}:{uri.Port}");

    internal static string Seconds(TimeSpan timeout)
    {
        var seconds = timeout.TotalSeconds;
        return seconds == 1 ? "1 second" : $"{seconds.ToString("0.###", CultureInfo.InvariantCulture)} seconds";
    }

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }
}
