namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// Bitbucket's OAuth 1.0a endpoints, appended to the base URL as text so a context path (<c>/bitbucket</c>) is kept.
/// </summary>
public static class OAuth1Endpoints
{
    /// <summary><c>POST {base}/plugins/servlet/oauth/request-token</c>.</summary>
    public static Uri RequestToken(string baseUrl) => new($"{Trim(baseUrl)}/plugins/servlet/oauth/request-token");

    /// <summary>The page the browser is sent to: <c>GET {base}/plugins/servlet/oauth/authorize?oauth_token=…</c>.</summary>
    public static Uri Authorize(string baseUrl, string requestToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestToken);
        return new($"{Trim(baseUrl)}/plugins/servlet/oauth/authorize?oauth_token={OAuth1Encoding.PercentEncode(requestToken)}");
    }

    /// <summary><c>POST {base}/plugins/servlet/oauth/access-token</c>.</summary>
    public static Uri AccessToken(string baseUrl) => new($"{Trim(baseUrl)}/plugins/servlet/oauth/access-token");

    private static string Trim(string baseUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseUrl);
        return baseUrl.Trim().TrimEnd('/');
    }
}
