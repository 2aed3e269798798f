using System.Security.Claims;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.Persistence;
using Portal.Core.Security;
using Portal.Core.Sessions;
using Portal.Core.Setup;
using Portal.Web;

namespace Portal.Tests.Infrastructure;

/// <summary>Real sessions in the test's database, made through the real services, for tests that act as someone.</summary>
public static class TestActors
{
    /// <summary>Setup Mode, sessions and the administrator gate, with default options, for tests below the web host.</summary>
    public static IServiceCollection AddTestAuthorization(this IServiceCollection services)
    {
        services.TryAddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        return services.AddSessionsAndAuthorization();
    }

    /// <summary>
    /// Someone who may administer the portal now: while Setup Mode lasts, the holder of a setup session (so the test
    /// does not end Setup Mode); after it, an existing administrator with a fresh session.
    /// </summary>
    public static async Task<Actor> AdministratorAsync(this IServiceProvider services)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var sessions = services.GetRequiredService<SessionService>();
        if (await services.GetRequiredService<SetupModeService>().IsActiveAsync())
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var token = new SetupToken { TokenHash = SecretHash.Sha256Hex(SecretHash.NewRandomToken()), IssuedAt = DateTimeOffset.UtcNow, UsedAt = DateTimeOffset.UtcNow };
            db.SetupTokens.Add(token);
            await db.SaveChangesAsync();
            return new Actor(await sessions.StartSetupSessionAsync(token.Id));
        }
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var administrator = await db.Users.FirstAsync(u => u.IsAdministrator);
            return new Actor(await sessions.StartUserSessionAsync(administrator.Id, Guid.NewGuid()));
        }
    }

    /// <summary>Creates an integration as an administrator would, through the real service; fails the test if it is refused.</summary>
    public static async Task<Integration> CreateIntegrationAsync(this IServiceProvider services, NewIntegration request)
    {
        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(await services.AdministratorAsync(), request);
        Assert.True(result.Succeeded, result.Refusal?.Message ?? result.Failure);
        Assert.True(result.Value.Succeeded, string.Join("; ", result.Value.Errors.Select(e => e.ErrorMessage)));
        return result.Value.Integration!;
    }

    /// <summary>A person with a session; an administrator when <paramref name="isAdministrator"/>.</summary>
    /// <param name="canSignIn">Gives the person an account on an enabled integration of their own, as a person who has signed in
    /// has; an administrator's role can only be revoked while another administrator can still sign in.</param>
    public static async Task<(PortalUser User, Actor Actor)> PersonAsync(this IServiceProvider services, string displayName, bool isAdministrator, bool canSignIn = false)
    {
        var user = new PortalUser { DisplayName = displayName, IsAdministrator = isAdministrator, CreatedAt = DateTimeOffset.UtcNow };
        await using (var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.Users.Add(user);
            await db.SaveChangesAsync();
        }
        if (canSignIn)
        {
            await services.GiveWayInAsync(user.Id);
        }
        return (user, new Actor(await services.GetRequiredService<SessionService>().StartUserSessionAsync(user.Id, Guid.NewGuid())));
    }

    /// <summary>An enabled integration of its own through which <paramref name="userId"/> has signed in.</summary>
    public static async Task GiveWayInAsync(this IServiceProvider services, Guid userId)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var integration = new Integration
        {
            Platform = Portal.Core.Platforms.BitbucketServer.BitbucketServerPlatform.KindOf.Key, Id = Guid.NewGuid(), Name = $"Way in {userId:N}", BaseUrl = $"https://{userId:N}.example.com",
            ClientId = "x", ProtectedClientSecret = "x", Enabled = true,
        };
        db.Integrations.Add(integration);
        db.ExternalIdentities.Add(new ExternalIdentity { UserId = userId, IntegrationId = integration.Id, ExternalUserId = 1, Username = "way-in", Slug = "way-in" });
        await db.SaveChangesAsync();
    }

    /// <summary>Makes bUnit's page run as <paramref name="actor"/>, with the administrator policy granted as the page saw it at load.</summary>
    public static void SignInAs(this BunitAuthorizationContext auth, Actor actor, string name = "Ada Lovelace")
    {
        auth.SetAuthorized(name);
        auth.SetClaims(new Claim(PortalClaims.Session, actor.SessionId!.Value.ToString()));
        auth.SetPolicies(PortalPolicies.Administrator);
    }
}
