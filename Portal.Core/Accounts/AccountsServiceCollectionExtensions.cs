using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Accounts;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>The portal's accounts: people, their identities at each integration and their stored tokens.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddScoped<AccountService>();
        return services;
    }
}
