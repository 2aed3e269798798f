using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Core.OAuth;
using Portal.Features.Integrations;

namespace Portal.Tests.Infrastructure;

public static class VerifyPanelServices
{
    /// <summary>What the Integrations page's Verify panel needs for bUnit, besides <c>IOptions&lt;PortalOptions&gt;</c> and a TimeProvider.</summary>
    public static IServiceCollection AddVerifyPanel(this IServiceCollection services, VerifyOptions? options = null)
    {
        services.AddLogging();
        services.AddSingleton<VerificationNotifier>();
        services.AddSingleton(Options.Create(options ?? new VerifyOptions()));
        services.TryAddScoped(_ => TestPlatforms.BitbucketOnly());
        return services;
    }
}
