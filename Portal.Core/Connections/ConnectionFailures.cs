using System.Net.Sockets;
using System.Security.Authentication;
using Portal.Core.Platforms;
using Portal.Core.Security;

namespace Portal.Core.Connections;

/// <summary>
/// Words a request to a platform's server that got no answer (no name, no listener, no TLS, no time, a refused
/// certificate or address): the cause and the fix, in the server's name. Every platform's detection uses these, so the
/// same fault reads the same whichever server it hits.
/// </summary>
public static class ConnectionFailures
{
    /// <summary>No answer within <paramref name="timeout"/>.</summary>
    public static ServerDetection TimedOut(Uri uri, TimeSpan timeout, string serverName)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return ServerDetection.Fail(ProbeFailureKind.Timeout,
            $"{ConnectionText.HostAndPort(uri)} did not answer within {ConnectionText.Seconds(timeout)}: check that {serverName} is running and that no firewall or proxy drops the connection.",
            $"{serverName} can take minutes to start after a restart or an upgrade; try again then. Servers:ProbeTimeout sets how long the portal waits.");
    }

    /// <summary>The connection broke off in the middle of the answer.</summary>
    public static ServerDetection Dropped(Uri uri, IOException exception, string serverName)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(exception);
        return ServerDetection.Fail(ProbeFailureKind.Unreachable,
            $"The connection to {ConnectionText.HostAndPort(uri)} broke off while {serverName} was answering ({exception.Message}): check the proxy or load balancer in front of {serverName}, then try again.");
    }

    /// <summary>Why <paramref name="exception"/> left the request to <paramref name="uri"/> without an answer.</summary>
    public static ServerDetection Describe(Uri uri, HttpRequestException exception, TimeSpan timeout, ServerConnectionOptions options, string serverName)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(exception);
        if (ExceptionChain.Find<ServerCertificateRejectedException>(exception) is { } rejected)
        {
            return CertificateRejection.Describe(uri, rejected, options, serverName);
        }
        if (LinkLocalAddressRefusedException.FindIn(exception) is { } refused)
        {
            return ServerDetection.Fail(ProbeFailureKind.AddressRefused, refused.Message);
        }
        var where = ConnectionText.HostAndPort(uri);
        var socketError = ExceptionChain.Find<SocketException>(exception)?.SocketErrorCode;
        return (exception.HttpRequestError, socketError) switch
        {
            (HttpRequestError.NameResolutionError, _) or (_, SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain) =>
                ServerDetection.Fail(ProbeFailureKind.DnsFailure,
                    $"The host name {uri.IdnHost} could not be found: check the spelling of the Base URL or the DNS.",
                    "The portal resolves the name on its own machine; if it runs in a container, that container needs your internal DNS."),
            (_, SocketError.ConnectionRefused) =>
                ServerDetection.Fail(ProbeFailureKind.ConnectionRefused,
                    $"Nothing accepts connections at {where}: check the port in the Base URL and that {serverName} (or its proxy) is running."),
            (_, SocketError.TimedOut) => TimedOut(uri, timeout, serverName),
            // An https request through a forward proxy is a CONNECT tunnel; the proxy's 407 or refusal ends up here, not as a response.
            (HttpRequestError.ProxyTunnelError, _) =>
                ServerDetection.Fail(ProbeFailureKind.Unreachable,
                    $"The proxy the portal's machine sends its requests through refused to open a connection to {where} ({ExceptionChain.Innermost(exception).Message}). If it asks for a sign-in (407), put its credentials in the portal's HTTPS_PROXY setting; or let the portal reach {serverName} directly by adding its host to NO_PROXY."),
            (HttpRequestError.SecureConnectionError, _) when ExceptionChain.Find<AuthenticationException>(exception) is { } tls
                && tls.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase) =>
                ServerDetection.Fail(ProbeFailureKind.TlsOther,
                    $"The certificate of {where} was rejected ({ExceptionChain.Innermost(exception).Message}): install the CA certificate that issued {serverName}'s certificate on the portal's machine, or use a host name the certificate covers."),
            (HttpRequestError.SecureConnectionError, _) =>
                ServerDetection.Fail(ProbeFailureKind.TlsOther,
                    $"The TLS handshake with {where} failed ({ExceptionChain.Innermost(exception).Message}): check that this port serves https, or use http:// if it serves plain http.",
                    $"{serverName} or its proxy must offer TLS 1.2 or later."),
            (HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded, _) when uri.Scheme == Uri.UriSchemeHttp =>
                ServerDetection.Fail(ProbeFailureKind.Unreachable,
                    $"{where} did not answer with plain HTTP: if that port serves https, use https:// in the Base URL."),
            _ =>
                ServerDetection.Fail(ProbeFailureKind.Unreachable,
                    $"The portal could not reach {where} ({ExceptionChain.Innermost(exception).Message}): check the network route and firewalls between the portal's machine and {serverName}."),
        };
    }
}
