namespace Portal.Core.Integrations;

/// <summary>The Callback URL / Redirect URL an integration's OAuth application on its server must be given, exactly.</summary>
public static class CallbackUrl
{
    public const string PathPrefix = "/signin/callback/";

    /// <summary>Built from the configured public URL and the integration's immutable id, never from request headers.</summary>
    public static string For(string publicUrl, Guid integrationId) =>
        $"{publicUrl.TrimEnd('/')}{PathPrefix}{integrationId:N}";

    /// <summary>Why this public URL makes a poor callback base, or null when it is fine.</summary>
    public static string? WarningFor(string publicUrl)
    {
        if (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri))
        {
            return "The portal's public URL (Portal:PublicUrl) is not a valid URL.";
        }
        if (uri.IsLoopback)
        {
            return $"The portal's public URL is {uri.Host}: the server will send people's browsers back to their own computer. Set Portal:PublicUrl in appsettings.json to the address users reach the portal at.";
        }
        return uri.Scheme != Uri.UriSchemeHttps
            ? "The portal's public URL is not https. Code hosts refuse http redirect URLs other than localhost unless their administrators relax that rule; serve the portal over https and set Portal:PublicUrl accordingly."
            : null;
    }
}
