namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>
/// Recognises a token-authenticated REST request that something other than Bitbucket's REST API answered: a redirect
/// or a web page. The "U2F &amp; TOTP" two-factor plugin does this to requests made with OAuth tokens unless its OAuth
/// whitelist is enabled, while anonymous requests (the wizard's and the status page's checks) pass.
/// </summary>
internal static class AuthenticatedRequestInterception
{
    private const string Fix =
        "If the \"U2F & TOTP\" two-factor plugin is installed in Bitbucket, tick \"Enable OAuth whitelist\"; otherwise let the proxy or single sign-on gateway pass requests that carry an Authorization header through to Bitbucket.";

    /// <summary>A message for administrators when <paramref name="response"/> is such an interception, otherwise <c>null</c>.</summary>
    public static string? Describe(HttpRequestMessage request, HttpResponseMessage response)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        var status = (int)response.StatusCode;
        if (status is >= 300 and <= 399)
        {
            var target = response.Headers.Location is { } location && request.RequestUri is { } requestUri
                ? (location.IsAbsoluteUri ? location : new Uri(requestUri, location)).GetLeftPart(UriPartial.Path)
                : "another page";
            return $"Bitbucket redirected the portal's request for {path}, made with the user's new access token, to {target} instead of answering it: something in Bitbucket or in front of it holds back token-authenticated requests. {Fix}";
        }
        if (status is >= 200 and <= 299 && (response.Content.Headers.ContentType?.MediaType ?? "").Contains("html", StringComparison.OrdinalIgnoreCase))
        {
            return $"Bitbucket answered the portal's request for {path}, made with the user's new access token, with a web page instead of its REST API: something in Bitbucket or in front of it holds back token-authenticated requests. {Fix}";
        }
        return null;
    }
}
