namespace Portal.Core.Integrations;

/// <summary>
/// The outcome of <see cref="BaseUrlNormalizer.Normalize"/>: either a normalised base URL (possibly with a warning)
/// or an error that names the cause and the fix.
/// </summary>
/// <param name="Url">The normalised base URL: lower-case scheme and host, no default port, context path kept, no trailing slash; <c>null</c> when invalid.</param>
/// <param name="Error">Why the input cannot be used and how to fix it; <c>null</c> when valid.</param>
/// <param name="Warning">Something the administrator should know about a usable URL (for example plain http); otherwise <c>null</c>.</param>
public sealed record BaseUrlNormalization(string? Url, string? Error, string? Warning)
{
    /// <summary>Whether <see cref="Url"/> holds a usable base URL.</summary>
    public bool IsValid => Url is not null;
}
