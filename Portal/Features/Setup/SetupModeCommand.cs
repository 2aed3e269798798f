using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Persistence;
using Portal.Core.Setup;

namespace Portal.Features.Setup;

/// <summary>
/// <c>dotnet run --project Portal -- setup-mode</c>: the way back in when no administrator can sign in. Puts the
/// configured database back into Setup Mode, ends every earlier setup session and prints a fresh one-time link. It
/// needs only the database, so it works whether the portal runs or not.
/// </summary>
internal static class SetupModeCommand
{
    public const string Name = "setup-mode";

    public static bool IsRequested(string[] args) => args is [Name, ..];

    /// <summary>A first argument that is neither this command nor a setting (<c>--key value</c>, <c>key=value</c>).</summary>
    public static string? UnknownCommand(string[] args) =>
        args is [var first, ..] && first != Name && !first.StartsWith('-') && !first.StartsWith('/') && !first.Contains('=') ? first : null;

    public static async Task<int> RunAsync(IServiceProvider services)
    {
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var contentRoot = services.GetRequiredService<IHostEnvironment>().ContentRootPath;
        var createdHere = database.SqliteFilePath(contentRoot) is { } file && !File.Exists(file);
        await services.MigrateDatabaseAsync();
        var token = await services.GetRequiredService<SetupModeService>().ReenterAsync();
        // Printed, not logged: the operator who ran the command needs the link, and no log file should keep it.
        Console.WriteLine($"Database: {database.Describe(contentRoot)}.");
        if (createdHere)
        {
            // A relative Data Source is taken against the folder the command runs in, so running it from elsewhere
            // changes a new, empty database instead of the portal's.
            Console.WriteLine("There was no database there, so this command created a new, empty one. If your portal already runs, it uses another file: " +
                "run this command from the folder the portal runs in, or pass the portal's database (--Database:ConnectionString \"Data Source=/path/to/portal.db\").");
        }
        Console.WriteLine("The portal is in Setup Mode again. Earlier setup links and setup sessions no longer work.");
        Console.WriteLine($"Open this one-time setup link to configure the portal: {services.SetupLink(token)}");
        Console.WriteLine("Administrators keep their role. Setup Mode ends when you sign in through an integration while holding the link's session.");
        Console.WriteLine("If the portal restarts before you open the link, it prints a newer one in its log.");
        return 0;
    }
}
