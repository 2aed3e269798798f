using Portal.Core.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>The audit log: its writer, its reader and its retention (<c>Audit:RetentionDays</c>).</summary>
    public static IServiceCollection AddAuditLog(this IServiceCollection services)
    {
        services.AddSettings<AuditOptions>(AuditOptions.Section);
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditQuery>();
        return services;
    }
}
