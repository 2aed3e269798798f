using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Platforms.GitLabSelfManaged;

/// <summary>The fields of GitLab's OpenID Connect discovery document the portal reads (docs/gitlab-protocol.md §3).</summary>
public sealed record GitLabDiscoveryDocument
{
    /// <summary>GitLab's own URL (<c>external_url</c>, relative URL root included); the Base URL must equal it.</summary>
    [JsonPropertyName("issuer")]
    public string? Issuer { get; init; }

    [JsonPropertyName("authorization_endpoint")]
    public string? AuthorizationEndpoint { get; init; }

    [JsonPropertyName("token_endpoint")]
    public string? TokenEndpoint { get; init; }

    [JsonPropertyName("userinfo_endpoint")]
    public string? UserinfoEndpoint { get; init; }

    [JsonPropertyName("jwks_uri")]
    public string? JwksUri { get; init; }

    [JsonPropertyName("scopes_supported")]
    public IReadOnlyList<string> ScopesSupported { get; init; } = [];

    [JsonPropertyName("code_challenge_methods_supported")]
    public IReadOnlyList<string> CodeChallengeMethodsSupported { get; init; } = [];

    /// <summary>Reads the document; throws <see cref="JsonException"/> when <paramref name="json"/> is not a JSON object.</summary>
    public static GitLabDiscoveryDocument Parse(string json) =>
        JsonSerializer.Deserialize<GitLabDiscoveryDocument>(json) ?? throw new JsonException("The discovery document is JSON null.");
}

/// <summary>What <see cref="GitLabDiscovery"/> found at a Base URL: the document, or why there is none.</summary>
/// <param name="Document">The discovery document whose issuer equals the Base URL; <c>null</c> on failure.</param>
/// <param name="Failure">Why GitLab was not found; <c>null</c> on success.</param>
public sealed record GitLabDiscoveryResult(GitLabDiscoveryDocument? Document, GitLabFailure? Failure)
{
    /// <summary>Whether GitLab answered with a discovery document naming the Base URL as its issuer.</summary>
    public bool Found => Document is not null && Failure is null;

    /// <summary>
    /// Set when GitLab was recognised by its API because its discovery document could not be read: what answered instead
    /// ("/.well-known/openid-configuration answered 404 Not Found"). Sign-in does not need the document.
    /// </summary>
    public string? DiscoveryProblem { get; init; }

    /// <summary>A sentence for the administrator: "GitLab at https://…", or the failure's cause and fix.</summary>
    public string Message => Failure?.Message ?? $"GitLab at {Document!.Issuer}";

    internal static GitLabDiscoveryResult Fail(GitLabFailureKind kind, string message, string? hint = null) => new(null, new GitLabFailure(kind, message, hint));
}
