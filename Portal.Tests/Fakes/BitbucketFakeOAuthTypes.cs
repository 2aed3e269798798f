using System.Security.Cryptography;

namespace Portal.Tests.Fakes;

/// <summary>
/// An incoming OAuth 2 application link ("External application") as a Bitbucket administrator creates it: generated
/// 32-hex Client ID and 64-hex Client secret, one or more redirect URLs (compared as exact strings) and the
/// permission the link grants.
/// </summary>
public sealed record BitbucketOAuthClient(string Name, string ClientId, string ClientSecret, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> Scopes)
{
    /// <summary>A link named <paramref name="name"/> with fresh credentials and the "Repositories: Read" permission.</summary>
    public static BitbucketOAuthClient Create(string name, params string[] redirectUris) =>
        new(name, RandomHex(16), RandomHex(32), redirectUris, ["REPO_READ"]);

    internal static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}

/// <summary>
/// A Bitbucket user. <see cref="Name"/> is the login (what <c>X-AUSERNAME</c> carries), <see cref="Slug"/> the URL
/// form, which differs for names like "ada@example.com" (slug "ada_example.com") and after renames; <see cref="Id"/>
/// never changes.
/// </summary>
/// <param name="AvatarPath">Relative to the host, e.g. "/users/ada/avatar.png"; null: derived from the slug and context path.</param>
public sealed record BitbucketFakeUser(long Id, string Name, string Slug, string DisplayName, string? EmailAddress = null, string? AvatarPath = null)
{
    public static BitbucketFakeUser Ada { get; } = new(101, "ada", "ada", "Ada Lovelace", "ada@example.com");

    public static BitbucketFakeUser Grace { get; } = new(102, "grace", "grace", "Grace Hopper", "grace@example.com");

    /// <summary>A user whose login is an e-mail address: the slug replaces the "@".</summary>
    public static BitbucketFakeUser AdaByEmail { get; } = new(103, "ada@example.com", "ada_example.com", "Ada (e-mail login)");
}

/// <summary>What a token request sent and what the fake answered, kept so tests can look for leaked values.</summary>
public sealed record FakeTokenExchange(string GrantType, string? Code, string? CodeVerifier, string? ClientSecret, string? RefreshToken,
    int Status, string? Error, string? IssuedAccessToken, string? IssuedRefreshToken);

/// <summary>What answers Bitbucket's token endpoint in its place (<see cref="BitbucketFake.TokenEndpointStandIn"/>).</summary>
public sealed record TokenEndpointStandIn(int Status, string ContentType, string Body, bool Hangs = false)
{
    /// <summary>Nothing answers: the request stays open until the caller gives up.</summary>
    public static TokenEndpointStandIn Silent { get; } = new(0, "", "", Hangs: true);
}
