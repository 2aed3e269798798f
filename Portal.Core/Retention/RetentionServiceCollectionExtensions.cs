using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Configuration;

namespace Portal.Core.Retention;

public static class RetentionServiceCollectionExtensions
{
    /// <summary>Binds <see cref="RetentionOptions"/> (validated at start) and runs the <see cref="RetentionPruner"/> in the background.</summary>
    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddSettings<RetentionOptions>(RetentionOptions.Section);
        services.AddHostedService<RetentionPruner>();
        return services;
    }
}
