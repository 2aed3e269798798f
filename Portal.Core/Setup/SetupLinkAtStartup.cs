using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Persistence;

namespace Portal.Core.Setup;

/// <summary>
/// At start, in Setup Mode, logs a fresh one-time setup link (replacing the previous unused one). On PostgreSQL the line
/// also says that only the last started instance's link works, since instances sharing the database replace each other's.
/// </summary>
public sealed class SetupLinkAtStartup(SetupModeService setupMode, IOptions<PortalOptions> portal, IOptions<DatabaseOptions> database, ILoggerFactory loggers)
    : IDatabaseStartupStep
{
    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var token = await setupMode.IssueTokenAsync(cancellationToken);
        if (token is null)
        {
            return;
        }
        // The one deliberate exception to "secrets are never logged": the operator needs this link, it works once,
        // and the next start replaces it.
        var logger = loggers.CreateLogger("Portal.Setup");
        // Instances sharing a PostgreSQL database each issue a link at start, and each new link withdraws the unopened ones.
        var sharedDatabaseNote = database.Value.UsesPostgreSql
            ? "The database is PostgreSQL, which other portal instances may share: every instance that starts in Setup Mode "
              + "prints a new link and withdraws the earlier unopened ones, so only the link of the instance that started last works; if this link "
              + "is refused as not valid, use the newest one from the other instances' logs (or run one instance until setup is done). "
            : "";
        logger.LogWarning("Setup Mode is on. {SharedDatabaseNote}Open this one-time setup link to configure the portal: {SetupLink}",
            sharedDatabaseNote, SetupLinks.For(portal.Value, token));
    }
}
