using Portal.Core.Connections;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Configuration;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Retention;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Persistence;
using Portal.Core.Platforms;
using Portal.Core.RateLimiting;
using Portal.Core.Security;
using Portal.Core.Sessions;
using Portal.Core.Setup;
using Portal.Core.Status;

namespace Portal.Core;

public static class PortalCoreServiceCollectionExtensions
{
    private static readonly TimeSpan OAuthCallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Registers options, persistence, Data Protection, Setup Mode and integration status.</summary>
    public static IServiceCollection AddPortalCore(this IServiceCollection services, string contentRootPath)
    {
        services.AddPortalOptions();
        services.TryAddSingletonTimeProvider();

        services.AddPersistence(contentRootPath);
        services.AddDataProtection().SetApplicationName("Portal").PersistKeysToDbContext<PortalDbContext>().ProtectKeysWithKeyFile(contentRootPath);
        services.AddSingleton<SecretProtector>();
        services.AddSessionsAndAuthorization();
        services.AddScoped<IntegrationValidator>();
        services.AddScoped<IntegrationService>();
        services.AddIntegrationManagement();
        services.AddServerConnections();
        services.AddPlatforms();
        services.AddAccounts();
        services.AddScoped<PendingAuthorizationStore>();
        services.AddScoped<SignInRecorder>();
        services.AddRetention();
        services.AddSharedRateLimitCounter();
        services.AddScoped<SignInService>();
        services.AddSingleton<VerificationNotifier>();
        // Token requests are never retried automatically: a second use of a code revokes what the first issued.
        services.AddHttpClient<AuthorizationCodeFlow>().UseServerHandler().ConfigureHttpClient(c => c.Timeout = OAuthCallTimeout);
        services.AddTransient<ISignInProtocol>(sp => sp.GetRequiredService<AuthorizationCodeFlow>());
        // Refreshes are not retried either: servers rotate the refresh token, so a repeated request would be refused.
        services.AddHttpClient<TokenRefresher>().UseServerHandler().ConfigureHttpClient(c => c.Timeout = OAuthCallTimeout);
        services.AddIntegrationStatus();
        return services;
    }

    /// <summary>Setup Mode, server-side sessions and the authorization of administrators' actions.</summary>
    public static IServiceCollection AddSessionsAndAuthorization(this IServiceCollection services)
    {
        services.AddSetup();
        services.AddSessions();
        services.AddSingleton<AdministratorGate>();
        services.AddSingleton<AdminActions>();
        services.AddAuditLog();
        services.AddSingleton<AdministratorRoles>();
        return services;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
