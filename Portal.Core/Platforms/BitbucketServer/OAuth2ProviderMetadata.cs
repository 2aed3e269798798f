using System.Text.Json;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>
/// The fields of Bitbucket's RFC 8414 document (<c>/rest/oauth2/latest/.well-known/oauth-authorization-server</c>) the
/// portal reads. Bitbucket builds them from its configured base URL, not from the address the request came to.
/// </summary>
internal sealed record OAuth2ProviderMetadata(string? Issuer, string? AuthorizationEndpoint, string? TokenEndpoint)
{
    /// <summary>Reads the fields leniently (missing or non-string fields become <c>null</c>); throws <see cref="JsonException"/> for invalid JSON.</summary>
    public static OAuth2ProviderMetadata Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new OAuth2ProviderMetadata(null, null, null);
        }
        return new OAuth2ProviderMetadata(
            StringProperty(root, "issuer"), StringProperty(root, "authorization_endpoint"), StringProperty(root, "token_endpoint"));
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
