using Microsoft.AspNetCore.Authorization;
using Portal.Core.Authorization;

namespace Portal.Web;

internal sealed class AdministratorRequirement : IAuthorizationRequirement;

/// <summary>
/// Admin pages are open to an active setup session while Setup Mode lasts, and to administrators after it: Core's
/// <see cref="AdministratorGate"/> decides from the database on each request and each time an open page re-checks.
/// </summary>
internal sealed class AdministratorAuthorizationHandler(AdministratorGate gate) : AuthorizationHandler<AdministratorRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AdministratorRequirement requirement)
    {
        if (await gate.CheckAsync(context.User.ToActor()) is null)
        {
            context.Succeed(requirement);
        }
    }
}
