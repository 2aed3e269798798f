using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.RegularExpressions;
using Portal.Core.Connections;
using Portal.Core.Security;

namespace Portal.Core.Platforms.GitLabSelfManaged;

/// <summary>What GitLab (or whatever stands at its address) answered: status, media type, redirect target, body start.</summary>
internal sealed record GitLabHttpAnswer(Uri RequestUri, int Status, string StatusText, string MediaType, Uri? Location, string Body)
{
    public bool LooksLikeHtml => MediaType.Contains("html", StringComparison.OrdinalIgnoreCase) || Body.TrimStart().StartsWith('<');
}

/// <summary>
/// One GET to GitLab with a timeout, turning network failures into <see cref="GitLabFailure"/>s that name the cause
/// and the fix. Never follows redirects itself; the <see cref="HttpClient"/>'s handler must not either.
/// </summary>
internal static partial class GitLabHttp
{
    // GitLab's JSON answers here are a few kB; anything much larger is a page, and its start is enough to recognise it.
    private const int MaxBodyBytes = 64 * 1024;

    public static async Task<(GitLabHttpAnswer? Answer, GitLabFailure? Failure)> GetAsync(HttpClient http, Uri uri, Func<HttpRequestMessage, Task>? authorize, TimeSpan timeout, CancellationToken ct)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutSource.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (authorize is not null)
        {
            await authorize(request);
        }
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            var status = (int)response.StatusCode;
            var body = status is >= 300 and <= 399 ? "" : await ResponseBody.ReadStartAsync(response.Content, MaxBodyBytes, timeoutSource.Token);
            var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l : new Uri(uri, l)) : null;
            return (new GitLabHttpAnswer(uri, status, StatusText(response), response.Content.Headers.ContentType?.MediaType ?? "", location, body), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, TimedOut(uri, timeout));
        }
        catch (HttpRequestException e)
        {
            return (null, Classify(uri, e, timeout));
        }
        catch (IOException e)
        {
            return (null, new GitLabFailure(GitLabFailureKind.Unreachable,
                $"The connection to {ConnectionText.HostAndPort(uri)} broke off while GitLab was answering ({e.Message}): check the proxy or load balancer in front of GitLab, then try again."));
        }
    }

    public static GitLabFailure TimedOut(Uri uri, TimeSpan timeout) =>
        new(GitLabFailureKind.Timeout,
            $"{ConnectionText.HostAndPort(uri)} did not answer within {ConnectionText.Seconds(timeout)}: check that GitLab is running and that no firewall or proxy drops the connection.",
            "GitLab can take several minutes to start after a restart or an upgrade; try again then.");

    public static GitLabFailure Classify(Uri uri, HttpRequestException e, TimeSpan timeout)
    {
        if (ExceptionChain.Find<ServerCertificateRejectedException>(e) is { } rejected)
        {
            var described = CertificateRejection.Describe(uri, rejected, new ServerConnectionOptions(), "GitLab");
            return new GitLabFailure(described.Failure == ProbeFailureKind.TlsUntrusted ? GitLabFailureKind.TlsUntrusted : GitLabFailureKind.Tls, described.Message, described.Hint)
            {
                PresentedChain = described.PresentedChain,
            };
        }
        if (LinkLocalAddressRefusedException.FindIn(e) is { } refused)
        {
            return new GitLabFailure(GitLabFailureKind.AddressRefused, refused.Message);
        }
        var socketError = ExceptionChain.Find<SocketException>(e)?.SocketErrorCode;
        return (e.HttpRequestError, socketError) switch
        {
            (HttpRequestError.NameResolutionError, _) or (_, SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain) =>
                new(GitLabFailureKind.DnsFailure, $"The host name {uri.IdnHost} could not be found: check the spelling of the Base URL or the DNS.",
                    "The portal resolves the name on its own machine; if it runs in a container, that container needs your internal DNS."),
            (_, SocketError.ConnectionRefused) =>
                new(GitLabFailureKind.ConnectionRefused, $"Nothing accepts connections at {ConnectionText.HostAndPort(uri)}: check the port in the Base URL and that GitLab (or its proxy) is running."),
            (_, SocketError.TimedOut) => TimedOut(uri, timeout),
            (HttpRequestError.SecureConnectionError, _) when ExceptionChain.Find<AuthenticationException>(e) is { } tls && tls.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase) =>
                new(GitLabFailureKind.Tls,
                    $"The certificate of {ConnectionText.HostAndPort(uri)} was rejected ({ExceptionChain.Innermost(e).Message}): install the CA certificate that issued GitLab's certificate on the portal's machine, or use a host name the certificate covers."),
            (HttpRequestError.SecureConnectionError, _) =>
                new(GitLabFailureKind.Tls,
                    $"The TLS handshake with {ConnectionText.HostAndPort(uri)} failed ({ExceptionChain.Innermost(e).Message}): check that this port serves https, or use http:// if it serves plain http."),
            (HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded, _) when uri.Scheme == Uri.UriSchemeHttp =>
                new(GitLabFailureKind.Unreachable, $"{ConnectionText.HostAndPort(uri)} did not answer with plain HTTP: if that port serves https, use https:// in the Base URL."),
            _ =>
                new(GitLabFailureKind.Unreachable,
                    $"The portal could not reach {ConnectionText.HostAndPort(uri)} ({ExceptionChain.Innermost(e).Message}): check the network route and firewalls between the portal's machine and GitLab."),
        };
    }

    /// <summary>A password field, or "sign in" / "log in" in the title or a form tag (GitLab's own and SSO gateways' pages).</summary>
    public static bool LooksLikeSignInPage(string html) => HtmlPageSniffer.LooksLikeLoginPage(html);

    public static bool LooksLikeSignInAddress(Uri uri) => HtmlPageSniffer.LooksLikeLoginAddress(uri);



    private static string StatusText(HttpResponseMessage response)
    {
        var reason = string.IsNullOrWhiteSpace(response.ReasonPhrase)
            ? Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase((int)response.StatusCode)
            : response.ReasonPhrase;
        return string.Create(CultureInfo.InvariantCulture, $"{(int)response.StatusCode} {reason}").TrimEnd();
    }




}
