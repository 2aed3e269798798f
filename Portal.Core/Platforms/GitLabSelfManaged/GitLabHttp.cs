using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Portal.Core.Connections;

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
internal static class GitLabHttp
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
            return (null, From(ConnectionFailures.Dropped(uri, e, ServerName)));
        }
        catch (InvalidDataException)
        {
            return (null, new GitLabFailure(GitLabFailureKind.NotGitLab,
                $"{ConnectionText.DamagedCompression(uri, ServerName)}, then try again."));
        }
    }

    private const string ServerName = "GitLab";

    /// <summary>The string property <paramref name="name"/> of a JSON object; null when absent, not a string, or not an object.</summary>
    public static string? StringProperty(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static GitLabFailure TimedOut(Uri uri, TimeSpan timeout) => From(ConnectionFailures.TimedOut(uri, timeout, ServerName));

    public static GitLabFailure Classify(Uri uri, HttpRequestException e, TimeSpan timeout) =>
        From(ConnectionFailures.Describe(uri, e, timeout, new ServerConnectionOptions(), ServerName));

    private static GitLabFailure From(ServerDetection failure) => new(failure.Failure switch
    {
        ProbeFailureKind.DnsFailure => GitLabFailureKind.DnsFailure,
        ProbeFailureKind.ConnectionRefused => GitLabFailureKind.ConnectionRefused,
        ProbeFailureKind.Timeout => GitLabFailureKind.Timeout,
        ProbeFailureKind.TlsUntrusted => GitLabFailureKind.TlsUntrusted,
        ProbeFailureKind.TlsOther => GitLabFailureKind.Tls,
        ProbeFailureKind.AddressRefused => GitLabFailureKind.AddressRefused,
        _ => GitLabFailureKind.Unreachable,
    }, failure.Message, failure.Hint)
    {
        PresentedChain = failure.PresentedChain,
    };

    /// <summary>GitLab's answer when its request rate limits (off by default on self-managed) count the portal's address over the limit.</summary>
    public static string RateLimited(GitLabHttpAnswer answer, string path) =>
        $"GitLab is limiting the requests from the portal's address ({answer.StatusText} at {path}). Wait a minute and try again; if it keeps " +
        "happening, raise the limits or add the portal's address to the allowlist in GitLab's Admin area → Settings → Network → User and IP " +
        "rate limits, or lengthen Status:ProbeInterval.";

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
