using System.Text.Json;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>The fields of <c>/rest/api/1.0/application-properties</c> the portal reads.</summary>
/// <param name="Version">e.g. "8.9.1".</param>
/// <param name="DisplayName">"Bitbucket" for Bitbucket.</param>
/// <param name="BuildNumber">e.g. "8009001": the version's digits (major, then three for minor, three for patch).</param>
internal sealed record ApplicationProperties(string? Version, string? DisplayName, string? BuildNumber = null)
{
    /// <summary>Reads the fields leniently (missing or non-string fields become <c>null</c>); throws <see cref="JsonException"/> for invalid JSON.</summary>
    public static ApplicationProperties Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return new ApplicationProperties(null, null);
        }
        return new ApplicationProperties(StringProperty(document.RootElement, "version"), StringProperty(document.RootElement, "displayName"),
            StringProperty(document.RootElement, "buildNumber"));
    }

    /// <summary>The version, or when it is missing or unreadable, the one <see cref="BuildNumber"/> encodes (8009001 is 8.9.1).</summary>
    public bool TryReadVersion(out BitbucketVersion version)
    {
        if (BitbucketVersion.TryParse(Version, out version))
        {
            return true;
        }
        if (long.TryParse(BuildNumber, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var build)
            && build >= 1_000_000 && build < 1_000_000_000)
        {
            version = new BitbucketVersion((int)(build / 1_000_000), (int)(build / 1000 % 1000), (int)(build % 1000), null);
            return true;
        }
        return false;
    }

    // A number is read as written ("version": 8.9 is "8.9"): servers and proxies that retype JSON exist.
    private static string? StringProperty(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.ValueKind == JsonValueKind.Number ? value.GetRawText()
        : null;
}
