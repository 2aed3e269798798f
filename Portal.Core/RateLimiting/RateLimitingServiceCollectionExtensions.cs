using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.RateLimiting;

public static class RateLimitingServiceCollectionExtensions
{
    /// <summary>The <see cref="SharedRateLimitCounter"/>, which the web's rate limits use when the database is shared.</summary>
    public static IServiceCollection AddSharedRateLimitCounter(this IServiceCollection services) =>
        services.AddSingleton<SharedRateLimitCounter>();
}
