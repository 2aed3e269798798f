namespace Portal.Core.Platforms;

/// <summary>A kind of code host the portal can connect to.</summary>
/// <param name="Key">Stored in <c>Integration.Platform</c>; never changes once released.</param>
/// <param name="DisplayName">The product's name as administrators know it, e.g. on the wizard's first step.</param>
/// <param name="Wording">How messages speak of its server.</param>
public sealed record PlatformKind(string Key, string DisplayName, PlatformWording Wording);
