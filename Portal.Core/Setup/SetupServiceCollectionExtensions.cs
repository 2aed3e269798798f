using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Configuration;
using Portal.Core.Persistence;

namespace Portal.Core.Setup;

public static class SetupServiceCollectionExtensions
{
    /// <summary>Setup Mode (<c>Setup</c> options, validated at start) and the setup link it logs at start.</summary>
    public static IServiceCollection AddSetup(this IServiceCollection services)
    {
        services.AddSettings<SetupOptions>(SetupOptions.Section);
        services.AddSingleton<SetupModeService>();
        services.AddScoped<IDatabaseStartupStep, SetupLinkAtStartup>();
        return services;
    }
}
