using Portal.Core.Configuration;
using Portal.Features.Integrations.Wizard;

namespace Portal.Features.Integrations;

internal static class IntegrationsFeature
{
    public static IServiceCollection AddIntegrationsFeature(this IServiceCollection services)
    {
        services.AddSettings<VerifyOptions>(VerifyOptions.Section);
        return services.AddScoped<BaseUrlCheck>().AddScoped<IntegrationDraft>().AddSingleton<OAuth1KeyDrafts>();
    }
}
