namespace Portal.Core.Platforms;

/// <summary>The platforms this portal offers, in the order the wizard lists them.</summary>
public sealed class PlatformCatalog(IEnumerable<IPlatform> platforms)
{
    public IReadOnlyList<IPlatform> All { get; } = [.. platforms];

    /// <summary>The platform stored under <paramref name="key"/>, or <c>null</c>.</summary>
    public IPlatform? Find(string? key) => All.FirstOrDefault(p => p.Kind.Key == key);

    /// <summary>Why an integration of <paramref name="key"/> cannot be used: its platform is not offered by this portal.</summary>
    public static string Unknown(string key) =>
        $"This integration's platform \"{key}\" is not offered by this portal (the integration was made by another version of the portal): update the portal, or delete the integration and add it again.";

    /// <summary>The platform's name for people, or the key itself for an unknown one.</summary>
    public string DisplayNameOf(string key) => Find(key)?.Kind.DisplayName ?? key;

    /// <summary>How messages speak of the server of the platform stored under <paramref name="key"/>; generic words for an unknown one.</summary>
    public PlatformWording WordingOf(string? key) => Find(key)?.Kind.Wording ?? PlatformWording.Generic;
}
