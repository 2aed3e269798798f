using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Security;
using Portal.Core.Setup;

namespace Portal.Core.Persistence;

public static class DatabaseStartup
{
    /// <summary>
    /// Applies migrations, secures the stored Data Protection keys, then, in Setup Mode, logs a fresh one-time setup
    /// link (replacing the previous one).
    /// </summary>
    public static async Task PreparePortalAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        await scope.ServiceProvider.GetRequiredService<StoredKeyProtection>().PrepareAsync(cancellationToken);

        var setup = scope.ServiceProvider.GetRequiredService<SetupModeService>();
        var token = await setup.IssueTokenAsync(cancellationToken);
        if (token is null)
        {
            return;
        }
        var publicUrl = scope.ServiceProvider.GetRequiredService<IOptions<PortalOptions>>().Value.NormalizedPublicUrl;
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Setup");
        // The one deliberate exception to "secrets are never logged": the operator needs this link, it works once,
        // and the next start replaces it.
        logger.LogWarning("Setup Mode is on. Open this one-time setup link to configure the portal: {SetupLink}",
            $"{publicUrl}/setup?token={Uri.EscapeDataString(token)}");
    }
}
