namespace Portal.Core.Platforms;

/// <summary>
/// What the administrator does on the server to create the OAuth application the integration signs in with, in the
/// server's own words: the page to open, the steps, the scopes to tick, and how the server labels the credentials it
/// shows at the end (which the portal's form then asks for under the same names).
/// </summary>
/// <param name="Title">The wizard step's title, e.g. "Create the application link in Bitbucket".</param>
/// <param name="AdminPageLabel">The link's text, e.g. "Open Bitbucket's application links".</param>
/// <param name="AdminPageUrl">The server's page where applications are created.</param>
/// <param name="Steps">One sentence per step after opening the page, in order; words the server's UI shows are marked
/// <c>**like this**</c> so the page can set them in bold.</param>
/// <param name="Scopes">The scopes or permissions to grant; empty when the server asks for none.</param>
/// <param name="ClientIdLabel">How the server names the public identifier, e.g. "Client ID" or "Application ID".</param>
/// <param name="ClientSecretLabel">How the server names the secret, e.g. "Client Secret" or "Secret".</param>
/// <param name="Notes">Further advice for this platform (plugins, settings), marked like <paramref name="Steps"/>.</param>
public sealed record ApplicationGuide(
    string Title,
    string AdminPageLabel,
    string AdminPageUrl,
    IReadOnlyList<string> Steps,
    IReadOnlyList<string> Scopes,
    string ClientIdLabel,
    string ClientSecretLabel,
    IReadOnlyList<string> Notes);
