namespace Portal.Core.Platforms;

/// <summary>The platforms this portal offers, in the order the wizard lists them.</summary>
public sealed class PlatformCatalog(IEnumerable<IPlatform> platforms)
{
    public IReadOnlyList<IPlatform> All { get; } = [.. platforms];

    /// <summary>The platform stored under <paramref name="key"/>, or <c>null</c>.</summary>
    public IPlatform? Find(string? key) => All.FirstOrDefault(p => p.Kind.Key == key);

    /// <summary>The platform of a stored integration; it must be one this portal offers.</summary>
    public IPlatform Get(string key) =>
        Find(key) ?? throw new InvalidOperationException($"No platform \"{key}\" is registered; the integration was made by a newer portal or the platform was removed.");

    /// <summary>The platform's name for people, or the key itself for an unknown one.</summary>
    public string DisplayNameOf(string key) => Find(key)?.Kind.DisplayName ?? key;
}
