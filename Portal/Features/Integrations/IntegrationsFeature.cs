using Portal.Features.Integrations.Wizard;

namespace Portal.Features.Integrations;

internal static class IntegrationsFeature
{
    public static IServiceCollection AddIntegrationsFeature(this IServiceCollection services)
    {
        services.AddOptions<VerifyOptions>().BindConfiguration(VerifyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services.AddScoped<BaseUrlCheck>().AddScoped<IntegrationDraft>().AddSingleton<OAuth1KeyDrafts>();
    }
}
