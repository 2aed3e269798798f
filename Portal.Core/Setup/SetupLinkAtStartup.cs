using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Persistence;

namespace Portal.Core.Setup;

/// <summary>At start, in Setup Mode, logs a fresh one-time setup link (replacing the previous unused one).</summary>
public sealed class SetupLinkAtStartup(SetupModeService setupMode, IOptions<PortalOptions> portal, ILoggerFactory loggers) : IDatabaseStartupStep
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
        loggers.CreateLogger("Portal.Setup").LogWarning(
            "Setup Mode is on. Open this one-time setup link to configure the portal: {SetupLink}", SetupLinks.For(portal.Value, token));
    }
}
