using Portal.Core.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Sessions;

public static class SessionsServiceCollectionExtensions
{
    /// <summary>Server-side sessions (<c>Sessions</c> options, validated at start).</summary>
    public static IServiceCollection AddSessions(this IServiceCollection services)
    {
        services.AddSettings<PortalSessionOptions>(PortalSessionOptions.Section);
        services.AddSingleton<SessionService>();
        return services;
    }
}
