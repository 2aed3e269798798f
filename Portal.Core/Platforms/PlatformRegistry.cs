namespace Portal.Core.Platforms;

/// <summary>A kind of code host the portal can connect to.</summary>
public sealed record PlatformKind(string Key, string DisplayName);

/// <summary>The platforms offered in the wizard: only those that work end to end.</summary>
public static class PlatformRegistry
{
    public static PlatformKind BitbucketServer { get; } = new("bitbucket-server", "Bitbucket Data Center / Server");

    public static IReadOnlyList<PlatformKind> All { get; } = [BitbucketServer];

    public static PlatformKind? Find(string? key) => All.FirstOrDefault(p => p.Key == key);
}
