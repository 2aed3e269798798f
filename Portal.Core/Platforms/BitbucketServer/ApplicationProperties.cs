using System.Text.Json;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>The fields of <c>/rest/api/1.0/application-properties</c> the portal reads.</summary>
/// <param name="Version">e.g. "8.9.1".</param>
/// <param name="DisplayName">"Bitbucket" for Bitbucket.</param>
internal sealed record ApplicationProperties(string? Version, string? DisplayName)
{
    /// <summary>Reads the fields leniently (missing or non-string fields become <c>null</c>); throws <see cref="JsonException"/> for invalid JSON.</summary>
    public static ApplicationProperties Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return new ApplicationProperties(null, null);
        }
        return new ApplicationProperties(StringProperty(document.RootElement, "version"), StringProperty(document.RootElement, "displayName"));
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
