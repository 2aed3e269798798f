using System.Security.Cryptography;

namespace Portal.Tests.Fakes.GitLab;

/// <summary>
/// An OAuth application as a GitLab administrator creates it (Admin Area → Applications → New application): generated
/// 64-hex Application ID and Secret, redirect URIs (one per line in GitLab's form, compared as exact strings), the
/// scopes ticked, and the Trusted (skips the consent page) and Confidential checkboxes.
/// </summary>
public sealed record GitLabFakeApplication(string Name, string ApplicationId, string Secret, IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> Scopes, bool Trusted = false, bool Confidential = true)
{
    /// <summary>An application named <paramref name="name"/> with fresh credentials and the <c>read_user</c> scope.</summary>
    public static GitLabFakeApplication Create(string name, params string[] redirectUris) =>
        new(name, RandomHex(32), "gloas-" + RandomHex(32), redirectUris, ["read_user"]);

    internal static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}

/// <summary>A GitLab user as <c>/api/v4/user</c> shows it; <see cref="Id"/> never changes, <see cref="Username"/> can.</summary>
/// <param name="State">"active", "blocked", "deactivated", …</param>
public sealed record GitLabFakeUser(long Id, string Username, string Name, string? Email = null, string State = "active", string Password = "password")
{
    public static GitLabFakeUser Ada { get; } = new(42, "ada", "Ada Lovelace", "ada@example.com");

    public static GitLabFakeUser Grace { get; } = new(43, "grace", "Grace Hopper", "grace@example.com");
}

/// <summary>What a token request sent and what the fake answered, kept so tests can look for leaked values.</summary>
public sealed record GitLabFakeTokenExchange(string GrantType, string? ClientId, string? Code, string? CodeVerifier, string? ClientSecret,
    string? RefreshToken, int Status, string? Error, string? IssuedAccessToken, string? IssuedRefreshToken);
