using Portal.Core.Connections;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>
/// Asks a base URL for Bitbucket's anonymous <c>/rest/api/1.0/application-properties</c> and turns every expected
/// failure (DNS, refused connection, timeout, TLS, 404, redirect, login page, …) into a <see cref="BitbucketProbeResult"/>
/// that names the cause and the fix. Never follows redirects.
/// </summary>
public sealed partial class BitbucketVersionProbe
{
    /// <summary>The probed path, relative to the base URL including its context path.</summary>
    public const string ApplicationPropertiesPath = "/rest/api/1.0/application-properties";

    /// <summary>Answers 401 to anonymous callers when the OAuth 2 provider plugin is installed.</summary>
    public const string OAuth2ClientPath = "/rest/oauth2/1.0/client";

    // application-properties is ~100 bytes; anything much larger is a page, and its start is enough to recognise it.
    private const int MaxBodyBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly ServerConnectionOptions _options;

    /// <summary>Creates a probe with default <see cref="ServerConnectionOptions"/>.</summary>
    public BitbucketVersionProbe(HttpClient http)
        : this(http, Options.Create(new ServerConnectionOptions()))
    {
    }

    /// <summary>Creates a probe; <paramref name="http"/> should come from <see cref="BitbucketServerServiceCollectionExtensions.AddBitbucketServerPlatform"/>.</summary>
    [ActivatorUtilitiesConstructor]
    public BitbucketVersionProbe(HttpClient http, IOptions<ServerConnectionOptions> options)
    {
        _http = http;
        _options = options.Value;
    }

    /// <summary>
    /// Probes <paramref name="normalizedBaseUrl"/> (see <see cref="Integrations.BaseUrlNormalizer"/>). Throws only for a
    /// base URL that is not absolute http(s) and when <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<BitbucketProbeResult> ProbeAsync(string normalizedBaseUrl, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(normalizedBaseUrl);
        var baseUrl = normalizedBaseUrl.TrimEnd('/');
        var uri = AbsoluteHttpUri(baseUrl + ApplicationPropertiesPath, nameof(normalizedBaseUrl));
        var timeout = _options.ProbeTimeout;

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutSource.CancelAfter(timeout);
        using var request = JsonRequest(uri);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            var body = IsRedirect(response.StatusCode) ? "" : await ResponseBody.ReadStartAsync(response.Content, MaxBodyBytes, timeoutSource.Token);
            return ProbeResponseClassifier.Classify(baseUrl, uri, response, body);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ProbeExceptionClassifier.TimedOut(uri, timeout);
        }
        catch (HttpRequestException e)
        {
            return ProbeExceptionClassifier.Classify(uri, e, timeout, _options);
        }
        catch (IOException e)
        {
            return ProbeExceptionClassifier.ConnectionDropped(uri, e);
        }
        catch (InvalidDataException)
        {
            return BitbucketProbeResult.Fail(ProbeFailureKind.OtherServer,
                $"{ConnectionText.DamagedCompression(uri, "Bitbucket")}, then choose Check again.");
        }
    }

    private static Uri AbsoluteHttpUri(string url, string parameterName)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{url}' is not an absolute http(s) URL: normalise the base URL with BaseUrlNormalizer first.", parameterName);
        }
        return uri;
    }

    private static HttpRequestMessage JsonRequest(Uri uri)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private static bool IsRedirect(HttpStatusCode status) => (int)status is >= 300 and <= 399;

}
