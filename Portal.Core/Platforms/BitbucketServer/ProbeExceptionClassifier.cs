using Portal.Core.Connections;
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
            $"{ConnectionText.HostAndPort(uri)} did not answer within {ConnectionText.Seconds(timeout)}: check that Bitbucket is running and that no firewall or proxy drops the connection.",
            "A slow start after a Bitbucket restart can take minutes; try again then. Servers:ProbeTimeout sets how long the portal waits.");

    public static BitbucketProbeResult ConnectionDropped(Uri uri, IOException e) =>
        BitbucketProbeResult.Fail(ProbeFailureKind.Unreachable,
            $"The connection to {ConnectionText.HostAndPort(uri)} broke off while Bitbucket was answering ({e.Message}): check the proxy or load balancer in front of Bitbucket, then try again.");

    public static BitbucketProbeResult Classify(Uri uri, HttpRequestException e, TimeSpan timeout, ServerConnectionOptions options)
    {
        if (ExceptionChain.Find<ServerCertificateRejectedException>(e) is { } rejected)
        {
            return CertificateRejected(uri, rejected, options);
        }
        if (LinkLocalAddressRefusedException.FindIn(e) is { } refused)
        {
            return AddressRefused(refused);
        }

        var socketError = ExceptionChain.Find<SocketException>(e)?.SocketErrorCode;
        return (e.HttpRequestError, socketError) switch
        {
            (HttpRequestError.NameResolutionError, _) or (_, SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain) =>
                BitbucketProbeResult.Fail(ProbeFailureKind.DnsFailure,
                    $"The host name {uri.IdnHost} could not be found: check the spelling or the DNS.",
                    "The portal resolves the name on its own machine; if it runs in a container, that container needs your internal DNS."),
            (_, SocketError.ConnectionRefused) =>
                BitbucketProbeResult.Fail(ProbeFailureKind.ConnectionRefused,
                    $"Nothing accepts connections at {ConnectionText.HostAndPort(uri)}: check the port in the base URL and that Bitbucket (or its proxy) is running."),
            (_, SocketError.TimedOut) => TimedOut(uri, timeout),
            (HttpRequestError.SecureConnectionError, _) =>
                BitbucketProbeResult.Fail(ProbeFailureKind.TlsOther,
                    $"The TLS handshake with {ConnectionText.HostAndPort(uri)} failed ({ExceptionChain.Innermost(e).Message}): check that this port serves https, or use http:// if it serves plain http.",
                    "Bitbucket or its proxy must offer TLS 1.2 or later."),
            (HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded, _) when uri.Scheme == Uri.UriSchemeHttp =>
                BitbucketProbeResult.Fail(ProbeFailureKind.Unreachable,
                    $"{ConnectionText.HostAndPort(uri)} did not answer with plain HTTP: if that port serves https, use https:// in the base URL."),
            _ =>
                BitbucketProbeResult.Fail(ProbeFailureKind.Unreachable,
                    $"The portal could not reach {ConnectionText.HostAndPort(uri)} ({ExceptionChain.Innermost(e).Message}): check the network route and firewalls between the portal's machine and Bitbucket."),
        };
    }

    internal static BitbucketProbeResult AddressRefused(LinkLocalAddressRefusedException refused) =>
        BitbucketProbeResult.Fail(ProbeFailureKind.AddressRefused, refused.Message);

    internal static BitbucketProbeResult CertificateRejected(Uri uri, ServerCertificateRejectedException rejected, ServerConnectionOptions options)
    {
        var failure = CertificateRejection.Describe(uri, rejected, options, "Bitbucket");
        return BitbucketProbeResult.Fail(failure.Failure!.Value, failure.Message, failure.Hint) with { PresentedChain = failure.PresentedChain };
    }
}
