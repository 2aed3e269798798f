using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Sessions;

public static class SessionsServiceCollectionExtensions
{
    /// <summary>Server-side sessions (<c>Sessions</c> options, validated at start).</summary>
    public static IServiceCollection AddSessions(this IServiceCollection services)
    {
        services.AddOptions<PortalSessionOptions>().BindConfiguration(PortalSessionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SessionService>();
        return services;
    }
}
