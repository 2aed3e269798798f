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
    /// link (replacing the previous unused one).
    /// </summary>
    public static async Task PreparePortalAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await services.MigrateDatabaseAsync(cancellationToken);
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StoredKeyProtection>().PrepareAsync(cancellationToken);
        }
        var token = await services.GetRequiredService<SetupModeService>().IssueTokenAsync(cancellationToken);
        if (token is null)
        {
            return;
        }
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Setup");
        // The one deliberate exception to "secrets are never logged": the operator needs this link, it works once,
        // and the next start replaces it.
        logger.LogWarning("Setup Mode is on. Open this one-time setup link to configure the portal: {SetupLink}", services.SetupLink(token));
    }

    /// <summary>Applies the migrations the database lacks.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database.MigrateAsync(cancellationToken);
    }

    /// <summary>The address that redeems <paramref name="token"/>, on the portal's public URL.</summary>
    public static string SetupLink(this IServiceProvider services, string token) =>
        $"{services.GetRequiredService<IOptions<PortalOptions>>().Value.NormalizedPublicUrl}/setup?token={Uri.EscapeDataString(token)}";
}
