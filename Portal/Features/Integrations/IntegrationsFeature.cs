using Portal.Features.Integrations.Wizard;

namespace Portal.Features.Integrations;

internal static class IntegrationsFeature
{
    public static IServiceCollection AddIntegrationsFeature(this IServiceCollection services) =>
        services.AddScoped<BaseUrlCheck>().AddScoped<IntegrationDraft>();
}
