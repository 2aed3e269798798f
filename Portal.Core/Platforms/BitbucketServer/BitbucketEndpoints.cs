namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>
/// Bitbucket's URLs, appended to the base URL as strings: <c>new Uri(base, "/rest/…")</c> would drop a context path.
/// </summary>
public static class BitbucketEndpoints
{
    public const string OAuth2Scope = "REPO_READ";

    public static string Authorize(string baseUrl) => $"{baseUrl}/rest/oauth2/latest/authorize";

    public static string Token(string baseUrl) => $"{baseUrl}/rest/oauth2/latest/token";

    public static string ApplicationProperties(string baseUrl) => $"{baseUrl}/rest/api/1.0/application-properties";

    public static string UsersFiltered(string baseUrl, string filter) =>
        $"{baseUrl}/rest/api/1.0/users?filter={Uri.EscapeDataString(filter)}&avatarSize=64&limit=100";

    public static string ApplicationLinks(string baseUrl) => $"{baseUrl}/plugins/servlet/applinks/listApplicationLinks";
}
