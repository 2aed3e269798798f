using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;

namespace Portal.Core.Integrations;

/// <summary>Registers the second day's management of existing integrations: edit, disable/enable, delete, orphaned accounts.</summary>
public static class IntegrationManagementServiceCollectionExtensions
{
    public static IServiceCollection AddIntegrationManagement(this IServiceCollection services) =>
        services.AddScoped<IntegrationEditing>().AddScoped<IntegrationLifecycle>().AddScoped<OrphanedAccounts>()
            .AddScoped<CredentialReplacementService>().AddScoped<IntegrationTrustService>();
}
