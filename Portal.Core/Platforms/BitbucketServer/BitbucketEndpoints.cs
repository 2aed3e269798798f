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

    /// <summary>The page size the portal asks the user search for; Bitbucket may serve smaller pages.</summary>
    public const int UserSearchPageSize = 100;

    /// <summary>One page of the user search, whose <c>filter</c> is a substring match on name, display name and e-mail.</summary>
    public static string UsersFiltered(string baseUrl, string filter, int start = 0) =>
        $"{baseUrl}/rest/api/1.0/users?filter={Uri.EscapeDataString(filter)}&avatarSize=64&limit={UserSearchPageSize}&start={start.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>One user by slug: the fallback when the user search is not there.</summary>
    public static string User(string baseUrl, string slug) => $"{baseUrl}/rest/api/1.0/users/{Uri.EscapeDataString(slug)}?avatarSize=64";

    public static string ApplicationLinks(string baseUrl) => $"{baseUrl}/plugins/servlet/applinks/listApplicationLinks";
}
