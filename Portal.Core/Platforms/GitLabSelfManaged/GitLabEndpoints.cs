namespace Portal.Core.Platforms.GitLabSelfManaged;

/// <summary>
/// GitLab's URLs (docs/gitlab-protocol.md §8), appended as strings to a normalised Base URL so that a relative URL root
/// such as <c>/gitlab</c> is kept (<c>new Uri(base, "/oauth/…")</c> would drop it).
/// </summary>
public static class GitLabEndpoints
{
    /// <summary>The scope the portal asks for: enough for <c>/api/v4/user</c> and <c>/api/v4/metadata</c>, nothing more.</summary>
    public const string Scope = "read_user";

    public const string DiscoveryPath = "/.well-known/openid-configuration";
    public const string UserPath = "/api/v4/user";
    public const string MetadataPath = "/api/v4/metadata";
    public const string VersionPath = "/api/v4/version";

    public static string Discovery(string baseUrl) => Trim(baseUrl) + DiscoveryPath;

    public static string Authorize(string baseUrl) => Trim(baseUrl) + "/oauth/authorize";

    public static string Token(string baseUrl) => Trim(baseUrl) + "/oauth/token";

    public static string User(string baseUrl) => Trim(baseUrl) + UserPath;

    /// <summary>The version since GitLab 15.2; <see cref="Version"/> before.</summary>
    public static string Metadata(string baseUrl) => Trim(baseUrl) + MetadataPath;

    /// <summary>The deprecated version endpoint; answers like <see cref="Metadata"/>.</summary>
    public static string Version(string baseUrl) => Trim(baseUrl) + VersionPath;

    public static string Keys(string baseUrl) => Trim(baseUrl) + "/oauth/discovery/keys";

    /// <summary>Admin Area → Applications → New application, where an administrator registers the portal.</summary>
    public static string NewAdminApplication(string baseUrl) => Trim(baseUrl) + "/admin/applications/new";

    /// <summary>Admin Area → Applications, the list.</summary>
    public static string AdminApplications(string baseUrl) => Trim(baseUrl) + "/admin/applications";

    /// <summary>A group's applications (group owners without admin rights).</summary>
    public static string GroupApplications(string baseUrl, string groupPath) =>
        $"{Trim(baseUrl)}/groups/{string.Join('/', groupPath.Trim('/').Split('/').Select(Uri.EscapeDataString))}/-/settings/applications";

    /// <summary>A user's own applications (GitLab 15.x and earlier: <c>/-/profile/applications</c>).</summary>
    public static string UserApplications(string baseUrl) => Trim(baseUrl) + "/-/user_settings/applications";

    private static string Trim(string baseUrl) => baseUrl.TrimEnd('/');
}
