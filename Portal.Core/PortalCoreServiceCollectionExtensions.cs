using Portal.Core.Connections;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
        services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingletonTimeProvider();

        services.AddDbContextFactory<PortalDbContext>((sp, options) =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            options.UseSqlite(ResolveSqliteConnectionString(database.ConnectionString, contentRootPath));
        });
        services.AddDataProtection().SetApplicationName("Portal").PersistKeysToDbContext<PortalDbContext>().ProtectKeysWithKeyFile(contentRootPath);
        services.AddSingleton<SecretProtector>();
        services.AddSessionsAndAuthorization();
        services.AddScoped<IntegrationValidator>();
        services.AddScoped<IntegrationService>();
        services.AddIntegrationManagement();
        services.AddServerConnections();
        services.AddPlatforms();
        services.AddScoped<AccountService>();
        services.AddScoped<PendingAuthorizationStore>();
        services.AddScoped<SignInRecorder>();
        services.AddRetention();
        services.AddScoped<SignInService>();
        services.AddSingleton<VerificationNotifier>();
        // Token requests are never retried automatically: a second use of a code revokes what the first issued.
        services.AddHttpClient<AuthorizationCodeFlow>().UseServerHandler().ConfigureHttpClient(c => c.Timeout = OAuthCallTimeout);
        services.AddTransient<ISignInProtocol>(sp => sp.GetRequiredService<AuthorizationCodeFlow>());
        // Refreshes are not retried either: servers rotate the refresh token, so a repeated request would be refused.
        services.AddHttpClient<TokenRefresher>().UseServerHandler().ConfigureHttpClient(c => c.Timeout = OAuthCallTimeout);
        services.AddIntegrationStatus();
        services.AddHealthChecks().AddDbContextCheck<PortalDbContext>("database");
        return services;
    }

    /// <summary>Setup Mode, server-side sessions and the authorization of administrators' actions.</summary>
    public static IServiceCollection AddSessionsAndAuthorization(this IServiceCollection services)
    {
        services.AddOptions<SetupOptions>().BindConfiguration(SetupOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PortalSessionOptions>().BindConfiguration(PortalSessionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SetupModeService>();
        services.AddSingleton<SessionService>();
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

    /// <summary>Makes a relative SQLite file path absolute against the content root and creates its folder.</summary>
    public static string ResolveSqliteConnectionString(string connectionString, string contentRootPath)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:" && !builder.DataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(builder.DataSource, contentRootPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            builder.DataSource = path;
        }
        return builder.ToString();
    }
}
