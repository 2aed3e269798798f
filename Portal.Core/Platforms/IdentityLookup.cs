namespace Portal.Core.Platforms;

/// <summary>Either the user, or why the portal could not tell who it is (a message for administrators).</summary>
/// <param name="Unreachable">Whether the failure was not reaching the server at all, rather than an answer that named nobody.</param>
/// <param name="Refused">The server's answer when it refused an identity request, so the sign-in protocol can read its own
/// reason from it (OAuth 1's <c>oauth_problem</c>).</param>
public sealed record IdentityLookup(ExternalUser? User, string? Failure, bool Unreachable = false, RefusedAnswer? Refused = null)
{
    public bool Succeeded => User is not null;

    /// <summary>The server answered, with a trouble of its own (HTTP 5xx, a rate limit): trying again later may work.</summary>
    public bool ServerTrouble { get; init; }

    /// <summary>The server refused the person's account itself (not the token): only the person, or the server's administrator, can change that.</summary>
    public bool AccountRefused { get; init; }

    /// <summary>The server's version, where the platform tells it only to signed-in users; the integration then shows it.</summary>
    public string? ServerVersion { get; init; }
}
