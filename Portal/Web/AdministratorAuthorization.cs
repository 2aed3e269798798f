using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Setup;

namespace Portal.Web;

internal sealed class AdministratorRequirement : IAuthorizationRequirement;

/// <summary>
/// Admin pages are open to the holder of the setup cookie while Setup Mode lasts, and to administrators after it.
/// Checked against the database on each request so that a revoked role or the end of Setup Mode takes effect at once.
/// </summary>
internal sealed class AdministratorAuthorizationHandler(SetupModeService setupMode, IDbContextFactory<PortalDbContext> dbFactory)
    : AuthorizationHandler<AdministratorRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AdministratorRequirement requirement)
    {
        if (await IsAdministratorAsync(context.User, setupMode, dbFactory))
        {
            context.Succeed(requirement);
        }
    }

    public static async Task<bool> IsAdministratorAsync(ClaimsPrincipal user, SetupModeService setupMode, IDbContextFactory<PortalDbContext> dbFactory)
    {
        if (user.HasClaim(c => c.Type == PortalClaims.SetupSession) && await setupMode.IsActiveAsync())
        {
            return true;
        }
        if (!Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            return false;
        }
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Users.AnyAsync(u => u.Id == userId && u.IsAdministrator);
    }
}
