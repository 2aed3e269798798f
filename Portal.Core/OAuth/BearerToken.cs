using System.Net.Http.Headers;

namespace Portal.Core.OAuth;

/// <summary>Signs requests with an OAuth 2 access token (RFC 6750).</summary>
public static class BearerToken
{
    public static Func<HttpRequestMessage, Task> Authorize(string accessToken) => request =>
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return Task.CompletedTask;
    };
}
