namespace Portal.Core.Platforms;

/// <summary>How messages speak of a platform's server and the OAuth application on it, so every message names the fix
/// in the words the administrator sees there.</summary>
/// <param name="ServerName">The server, e.g. "Bitbucket".</param>
/// <param name="ApplicationNoun">What the OAuth client is called there, e.g. "application link".</param>
/// <param name="ApplicationsPlace">Where administrators manage those, e.g. "Bitbucket &gt; Administration &gt; Application Links".</param>
/// <param name="Permission">What the sign-in asks for, as the server's form names it, e.g. "Repositories: Read".</param>
/// <param name="ServerLog">Where the server logs its side, e.g. "Bitbucket's log (atlassian-bitbucket.log)".</param>
/// <param name="ConsentButton">The button that grants the portal access on the server's consent page, e.g. "Allow".</param>
/// <param name="ClientIdLabel">How the server labels the application's public identifier, e.g. "Client ID" or "Application ID".</param>
/// <param name="ClientSecretLabel">How the server labels the application's OAuth 2 secret, e.g. "Client Secret" or "Secret".</param>
public sealed record PlatformWording(string ServerName, string ApplicationNoun, string ApplicationsPlace, string Permission, string ServerLog, string ConsentButton,
    string ClientIdLabel, string ClientSecretLabel)
{
    /// <summary>For messages about an integration whose platform is unknown (removed, or none yet).</summary>
    public static PlatformWording Generic { get; } =
        new("the server", "OAuth application", "the server's administration pages", "the requested permission", "the server's log", "Allow", "Client ID", "Client Secret");

    /// <summary><see cref="ServerName"/> at the start of a sentence.</summary>
    public string ServerNameAtStart => AtStart(ServerName);

    /// <summary><paramref name="text"/> with a capital first letter, for the start of a sentence.</summary>
    public static string AtStart(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
