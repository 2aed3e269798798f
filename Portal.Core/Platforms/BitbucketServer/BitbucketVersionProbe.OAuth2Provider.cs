using Portal.Core.Connections;
namespace Portal.Core.Platforms.BitbucketServer;

public sealed partial class BitbucketVersionProbe
{
    /// <summary>Bitbucket's RFC 8414 metadata, served anonymously and built from Bitbucket's configured base URL.</summary>
    public const string OAuth2MetadataPath = "/rest/oauth2/latest/.well-known/oauth-authorization-server";

    /// <summary>
    /// Checks Bitbucket's OAuth 2 provider for <paramref name="normalizedBaseUrl"/>: reads the metadata document
    /// (anonymous) and checks that its issuer and endpoints start with the base URL; when the document is absent (404),
    /// falls back to the anonymous 401 of <c>/rest/oauth2/1.0/client</c>. Never follows redirects. Throws only for a
    /// base URL that is not absolute http(s) and when <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<OAuth2ProviderCheck> CheckOAuth2ProviderAsync(string normalizedBaseUrl, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(normalizedBaseUrl);
        var baseUrl = normalizedBaseUrl.TrimEnd('/');
        var metadataUri = AbsoluteHttpUri(baseUrl + OAuth2MetadataPath, nameof(normalizedBaseUrl));
        var clientUri = AbsoluteHttpUri(baseUrl + OAuth2ClientPath, nameof(normalizedBaseUrl));
        var timeout = _options.ProbeTimeout;

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutSource.CancelAfter(timeout);
        var current = metadataUri;
        try
        {
            var (metadata, metadataBody) = await GetAsync(metadataUri, timeoutSource.Token);
            using (metadata)
            {
                if (metadata.StatusCode != System.Net.HttpStatusCode.NotFound)
                {
                    return OAuth2ProviderClassifier.FromMetadata(baseUrl, metadataUri, metadata, metadataBody);
                }
            }
            current = clientUri;
            var (client, clientBody) = await GetAsync(clientUri, timeoutSource.Token);
            using (client)
            {
                return OAuth2ProviderClassifier.FromClient(baseUrl, metadataUri, clientUri, client, clientBody);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Unreachable(ProbeExceptionClassifier.TimedOut(current, timeout), current);
        }
        catch (HttpRequestException e)
        {
            return Unreachable(ProbeExceptionClassifier.Classify(current, e, timeout, _options), current);
        }
        catch (IOException e)
        {
            return Unreachable(ProbeExceptionClassifier.ConnectionDropped(current, e), current);
        }
        catch (InvalidDataException)
        {
            return OAuth2ProviderClassifier.DamagedCompression(current);
        }
    }

    private async Task<(HttpResponseMessage Response, string Body)> GetAsync(Uri uri, CancellationToken ct)
    {
        using var request = JsonRequest(uri);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        try
        {
            var body = IsRedirect(response.StatusCode) ? "" : await ResponseBody.ReadStartAsync(response.Content, MaxBodyBytes, ct);
            return (response, body);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static OAuth2ProviderCheck Unreachable(BitbucketProbeResult failure, Uri uri) =>
        new(OAuth2ProviderFinding.Unreachable,
            $"Bitbucket answered application-properties, but the request to {uri.AbsolutePath} failed: {failure.Message}", failure.Hint, null);
}
