using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;

namespace Portal.Core.Status;

/// <summary>Registers the integration status feature.</summary>
public static class StatusServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="StatusOptions"/> to the <c>Status</c> section (validated at start) and registers the probe, the
    /// store, the <see cref="StatusBoard"/>, the status service (also the listener for sign-ins and for changes to the integrations), the background
    /// <see cref="IntegrationStatusScheduler"/> (which runs on one instance at a time, by its lease) and, for instances
    /// sharing a PostgreSQL database, the <see cref="StatusFeed"/> and its <see cref="StatusFeedListener"/>. Needs the
    /// platforms and the database.
    /// </summary>
    public static IServiceCollection AddIntegrationStatus(this IServiceCollection services)
    {
        services.AddSettings<StatusOptions>(StatusOptions.Section);
        services.AddTransient<IntegrationHealthProbe>();
        services.AddSingleton<StatusStore>();
        services.AddSingleton<StatusBoard>();
        services.AddSingleton<InstanceIdentity>();
        services.AddSingleton<StatusSchedulerLeaseStore>();
        services.AddSingleton<StatusFeed>();
        services.AddSingleton<IntegrationStatusService>();
        services.AddSingleton<ISignInOutcomeListener>(sp => sp.GetRequiredService<IntegrationStatusService>());
        services.AddSingleton<IIntegrationChangeListener>(sp => sp.GetRequiredService<IntegrationStatusService>());
        services.AddHostedService<IntegrationStatusScheduler>();
        services.AddHostedService<StatusFeedListener>();
        return services;
    }
}
