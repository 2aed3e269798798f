using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using Portal.Core.Authorization;
using Portal.Core.Persistence;
using Portal.Core.Sessions;

namespace Portal.Web;

/// <summary>
/// An open page (a Blazor circuit) keeps the person it started with; this re-checks them every
/// <see cref="PortalSessionOptions.RevalidationInterval"/> against the database. When the answer to "may this person
/// administer the portal?" changes – role revoked, signed out in another tab, Setup Mode over – it publishes the state
/// again, so every <c>AuthorizeView</c> on the page re-evaluates and admin controls disappear without a reload.
/// </summary>
internal sealed class PortalAuthenticationStateProvider(ILoggerFactory loggerFactory, AdministratorGate gate, IOptions<PortalSessionOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    private readonly ILogger logger = loggerFactory.CreateLogger<PortalAuthenticationStateProvider>();
    private readonly Lock stateLock = new();
    private bool? lastAllowed;

    protected override TimeSpan RevalidationInterval => options.Value.RevalidationInterval;

    /// <summary>Re-checks at once, e.g. right after an action was refused, instead of waiting for the next interval.</summary>
    public async Task RevalidateNowAsync(CancellationToken cancellationToken = default) =>
        await ValidateAuthenticationStateAsync(await GetAuthenticationStateAsync(), cancellationToken);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        bool allowed;
        try
        {
            allowed = await gate.CheckAsync(authenticationState.User.ToActor(), cancellationToken) is null;
        }
        catch (Exception e) when (DatabaseFailure.Describe(e) is not null && !cancellationToken.IsCancellationRequested)
        {
            // The framework signs the page out for good when this throws. A database that is down for a moment says
            // nothing about the person, and every action is authorized again when it runs, so the page stays as it is
            // and the next interval checks again.
            logger.LogWarning("The periodic check of an open page's access could not read the database ({Reason}); the next check tries again", e.GetType().Name);
            return true;
        }
        bool changed;
        lock (stateLock)
        {
            // The first check cannot know what the page rendered with, so a refusal is published once to be sure.
            changed = lastAllowed is null ? !allowed : lastAllowed != allowed;
            lastAllowed = allowed;
        }
        if (changed)
        {
            // The same person, published again: policies are evaluated from the database, not from the cookie's claims.
            SetAuthenticationState(Task.FromResult(new AuthenticationState(authenticationState.User)));
        }
        return true;
    }
}
