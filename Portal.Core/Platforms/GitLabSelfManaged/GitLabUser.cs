using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Platforms.GitLabSelfManaged;

/// <summary>
/// The signed-in user as <c>GET /api/v4/user</c> shows them. <see cref="Id"/> is the numeric id that never changes
/// (accounts are keyed on it); <see cref="Username"/> can be renamed.
/// </summary>
public sealed record GitLabUser
{
    [JsonPropertyName("id")]
    public long Id { get; init; }

    [JsonPropertyName("username")]
    public string Username { get; init; } = "";

    /// <summary>The display name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>The primary e-mail address; present for the user's own record.</summary>
    [JsonPropertyName("email")]
    public string? Email { get; init; }

    [JsonPropertyName("avatar_url")]
    public string? AvatarUrl { get; init; }

    /// <summary>"active", "blocked", "deactivated", …</summary>
    [JsonPropertyName("state")]
    public string? State { get; init; }

    [JsonPropertyName("web_url")]
    public string? WebUrl { get; init; }

    /// <summary>Reads the JSON; throws <see cref="JsonException"/> when it is not a user (no numeric id or no username).</summary>
    public static GitLabUser Parse(string json)
    {
        var user = JsonSerializer.Deserialize<GitLabUser>(json) ?? throw new JsonException("The user is JSON null.");
        return user.Id > 0 && !string.IsNullOrWhiteSpace(user.Username) ? user : throw new JsonException("The user JSON has no numeric id or no username.");
    }
}

/// <summary>GitLab's version as <c>/api/v4/metadata</c> or <c>/api/v4/version</c> reports it, e.g. "17.5.1-ee", "15.2-pre".</summary>
/// <param name="Text">The version string as GitLab sent it.</param>
/// <param name="Revision">The git revision, e.g. "c401a659d0c".</param>
/// <param name="Enterprise">Whether GitLab says it is the Enterprise Edition; <c>null</c> when it did not say (before 15.6).</param>
public sealed record GitLabVersion(string Text, int Major, int Minor, int Patch, string? Revision, bool? Enterprise)
{
    /// <summary>"GitLab 17.5.1-ee".</summary>
    public override string ToString() => $"GitLab {Text}";

    /// <summary>Parses "major.minor[.patch][-suffix]"; <c>false</c> for anything else.</summary>
    public static bool TryParse(string? text, string? revision, bool? enterprise, out GitLabVersion? version)
    {
        version = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var numbers = text.Split('-', 2)[0].Split('.');
        if (numbers.Length is < 2 or > 3
            || !int.TryParse(numbers[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(numbers[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }
        var patch = 0;
        if (numbers.Length == 3 && !int.TryParse(numbers[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out patch))
        {
            return false;
        }
        version = new GitLabVersion(text, major, minor, patch, revision, enterprise ?? (text.EndsWith("-ee", StringComparison.Ordinal) ? true : null));
        return true;
    }
}

/// <summary>What a <see cref="GitLabApiReader"/> call gave: the value, or why not.</summary>
public sealed record GitLabApiResult<T>(T? Value, GitLabFailure? Failure)
    where T : class
{
    public bool Succeeded => Value is not null && Failure is null;

    internal static GitLabApiResult<T> Fail(GitLabFailureKind kind, string message, string? hint = null) => new(null, new GitLabFailure(kind, message, hint));
}
