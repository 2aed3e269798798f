namespace Portal.Core.Platforms;

/// <summary>
/// What the administrator does on the server to create the OAuth application the integration signs in with, in the
/// server's own words: the page to open, the steps and the scopes to tick. How the server labels the credentials it
/// shows at the end is the platform's <see cref="PlatformWording"/>.
/// </summary>
/// <param name="Title">The wizard step's title, e.g. "Create the application link in Bitbucket".</param>
/// <param name="AdminPageLabel">The link's text, e.g. "Open Bitbucket's application links".</param>
/// <param name="AdminPageUrl">The server's page where applications are created.</param>
/// <param name="Steps">One sentence per step after opening the page, in order; words the server's UI shows are marked
/// <c>**like this**</c> so the page can set them in bold.</param>
/// <param name="Scopes">The scopes or permissions to grant; empty when the server asks for none.</param>
/// <param name="Notes">Further advice for this platform (plugins, settings), marked like <paramref name="Steps"/>.</param>
public sealed record ApplicationGuide(
    string Title,
    string AdminPageLabel,
    string AdminPageUrl,
    IReadOnlyList<string> Steps,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Notes);
