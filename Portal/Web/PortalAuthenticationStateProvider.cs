using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using Portal.Core.Authorization;
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
    private readonly Lock stateLock = new();
    private bool? lastAllowed;

    protected override TimeSpan RevalidationInterval => options.Value.RevalidationInterval;

    /// <summary>Re-checks at once, e.g. right after an action was refused, instead of waiting for the next interval.</summary>
    public async Task RevalidateNowAsync(CancellationToken cancellationToken = default) =>
        await ValidateAuthenticationStateAsync(await GetAuthenticationStateAsync(), cancellationToken);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var allowed = await gate.CheckAsync(authenticationState.User.ToActor(), cancellationToken) is null;
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
