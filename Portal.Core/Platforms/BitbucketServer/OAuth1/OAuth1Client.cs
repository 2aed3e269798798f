using Portal.Core.Connections;
namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// The three-legged OAuth 1.0a flow against Bitbucket, RSA-SHA1 signed: request token (with <c>oauth_callback</c>),
/// the browser's visit to the authorize page, access token (with <c>oauth_verifier</c>); and signed requests with the
/// access token afterwards. Expected failures come back as <see cref="OAuth1Error"/> values.
/// </summary>
public sealed class OAuth1Client(HttpClient httpClient, TimeProvider timeProvider)
{
    private readonly OAuth1Signer signer = new(timeProvider);

    /// <summary>
    /// Step 1: <c>POST {base}/plugins/servlet/oauth/request-token</c> with <c>oauth_callback</c> (which makes it OAuth
    /// 1.0a, so Bitbucket will send a verifier back).
    /// </summary>
    /// <param name="baseUrl">Bitbucket's base URL, context path included.</param>
    /// <param name="consumer">The integration's Consumer Key and private key.</param>
    /// <param name="callbackUrl">The absolute URL Bitbucket sends the browser back to.</param>
    /// <param name="cancellationToken">Cancels the call; cancellation is thrown, not returned as an error.</param>
    public async Task<OAuth1Result<OAuth1RequestToken>> GetRequestTokenAsync(
        string baseUrl, OAuth1Consumer consumer, string callbackUrl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callbackUrl);
        var url = OAuth1Endpoints.RequestToken(baseUrl);
        var answer = await PostAsync(url, new OAuth1Credentials(consumer), [new(OAuth1ProtocolParameter.Callback, callbackUrl)], cancellationToken);
        if (!answer.Succeeded)
        {
            return OAuth1Result.Failure<OAuth1RequestToken>(answer.Error);
        }

        return OAuth1RequestToken.FromForm(answer.Value.Form) is { } token
            ? OAuth1Result.Success(token)
            : OAuth1Result.Failure<OAuth1RequestToken>(OAuth1Errors.MalformedAnswer(url, answer.Value.StatusCode, answer.Value.ContentType));
    }

    /// <summary>Step 2: the page the browser is redirected to, <c>{base}/plugins/servlet/oauth/authorize?oauth_token=…</c>.</summary>
    public static Uri GetAuthorizeUrl(string baseUrl, OAuth1RequestToken requestToken)
    {
        ArgumentNullException.ThrowIfNull(requestToken);
        return OAuth1Endpoints.Authorize(baseUrl, requestToken.Token);
    }

    /// <summary>
    /// Step 3: <c>POST {base}/plugins/servlet/oauth/access-token</c> with the request token and the callback's
    /// <c>oauth_verifier</c> (read it with <see cref="OAuth1Callback.ReadVerifier"/>).
    /// </summary>
    public async Task<OAuth1Result<OAuth1AccessToken>> GetAccessTokenAsync(
        string baseUrl, OAuth1Consumer consumer, OAuth1RequestToken requestToken, string verifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestToken);
        ArgumentException.ThrowIfNullOrEmpty(verifier);
        var url = OAuth1Endpoints.AccessToken(baseUrl);
        var credentials = new OAuth1Credentials(consumer, requestToken.Token, requestToken.TokenSecret);
        var answer = await PostAsync(url, credentials, [new(OAuth1ProtocolParameter.Verifier, verifier)], cancellationToken);
        if (!answer.Succeeded)
        {
            return OAuth1Result.Failure<OAuth1AccessToken>(answer.Error);
        }

        return OAuth1AccessToken.FromForm(answer.Value.Form) is { } token
            ? OAuth1Result.Success(token)
            : OAuth1Result.Failure<OAuth1AccessToken>(OAuth1Errors.MalformedAnswer(url, answer.Value.StatusCode, answer.Value.ContentType));
    }

    /// <summary>
    /// Sends a request signed with the credentials (the query string is signed; there is no body), for example an identity
    /// lookup with the access token. The caller disposes the response; read a failed one with <see cref="ReadErrorAsync"/>.
    /// Network failures throw as they do from <see cref="HttpClient"/>; <see cref="OAuth1Errors.FromException"/> maps them.
    /// </summary>
    public Task<HttpResponseMessage> SendSignedAsync(
        HttpMethod method, string url, OAuth1Credentials creds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        ArgumentNullException.ThrowIfNull(creds);
        var uri = new Uri(url, UriKind.Absolute);
        return SendAsync(method, uri, creds, extraProtocolParameters: null, ct);
    }

    /// <summary>
    /// Describes a failed Bitbucket answer: its <c>oauth_problem</c> (from <c>WWW-Authenticate</c> or the body) mapped to
    /// a readable error, or the unexpected status.
    /// </summary>
    /// <summary>
    /// How much of an answer is read, as UTF-8 whatever charset it names (a proxy's page may name one .NET does not
    /// know, such as "utf8"): token answers and <c>oauth_problem</c> reports are a few hundred bytes.
    /// </summary>
    private const int MaxAnswerBytes = 64 * 1024;

    public async Task<OAuth1Error> ReadErrorAsync(HttpResponseMessage response, string consumerKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var portalClock = timeProvider.GetUtcNow();
        var body = await ResponseBody.ReadStartAsync(response.Content, MaxAnswerBytes, cancellationToken);
        var wwwAuthenticate = response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values)
            ? values.ToList()
            : [];
        var problem = OAuth1Problem.Read(wwwAuthenticate, body);
        return problem is null
            ? OAuth1Errors.UnexpectedStatus(response.RequestMessage?.RequestUri, response.StatusCode, response.Headers.Location)
            : OAuth1Errors.FromProblem(problem, consumerKey, portalClock, response.Headers.Date, (int)response.StatusCode);
    }

    private async Task<OAuth1Result<TokenAnswer>> PostAsync(
        Uri url,
        OAuth1Credentials credentials,
        IEnumerable<KeyValuePair<string, string>> extraProtocolParameters,
        CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(HttpMethod.Post, url, credentials, extraProtocolParameters, cancellationToken);
        }
        catch (Exception exception) when (OAuth1Errors.FromException(exception, url, cancellationToken) is { } error)
        {
            return OAuth1Result.Failure<TokenAnswer>(error);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return OAuth1Result.Failure<TokenAnswer>(await ReadErrorAsync(response, credentials.Consumer.ConsumerKey, cancellationToken));
            }

            var body = await ResponseBody.ReadStartAsync(response.Content, MaxAnswerBytes, cancellationToken);
            if (OAuth1Problem.Read(null, body) is { } problem)
            {
                return OAuth1Result.Failure<TokenAnswer>(OAuth1Errors.FromProblem(
                    problem, credentials.Consumer.ConsumerKey, timeProvider.GetUtcNow(), response.Headers.Date, (int)response.StatusCode));
            }

            var contentType = response.Content.Headers.ContentType?.MediaType;
            return OAuth1Result.Success(new TokenAnswer(OAuth1Form.Parse(body), (int)response.StatusCode, contentType));
        }
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method,
        Uri url,
        OAuth1Credentials credentials,
        IEnumerable<KeyValuePair<string, string>>? extraProtocolParameters,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        if (method == HttpMethod.Post)
        {
            // Bitbucket reads the protocol parameters from the header; the empty form body only gives proxies a
            // Content-Length and content type, and adds nothing to the signature.
            request.Content = new FormUrlEncodedContent([]);
        }

        var header = signer.CreateAuthorizationHeader(method, url, formBody: null, credentials, extraProtocolParameters);
        request.Headers.TryAddWithoutValidation("Authorization", header);
        return await httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    private sealed record TokenAnswer(OAuth1Form Form, int StatusCode, string? ContentType);
}
