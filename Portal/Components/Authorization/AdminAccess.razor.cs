using Portal.Components.Database;
using Portal.Components.Layout;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Core.Authorization;
using Portal.Core.Persistence;
using Portal.Web;

namespace Portal.Components.Authorization;

/// <summary>
/// Wraps the admin part of a page and runs its actions: each action is authorized by Core when it runs (see
/// <see cref="AdminActions"/>); a refusal replaces the admin controls with the reason, a database failure becomes a
/// message, and the circuit survives either way.
/// </summary>
public partial class AdminAccess
{
    private AccessRefusal? refusal;
    private Task<AuthenticationState>? renderedState;
    private bool? allowed;

    [Parameter] public RenderFragment? ChildContent { get; set; }

    /// <summary>The page's heading when the page's own is inside the admin part: without access the page still has one.</summary>
    [Parameter] public string? Heading { get; set; }

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = null!;

    /// <summary>
    /// Decides once per published authentication state (a fresh verdict from the database when it is re-published),
    /// not on every render: an AuthorizeView would evaluate the policy again each time the page re-renders and, while
    /// a database that answers asynchronously (PostgreSQL) does, remove the admin controls, taking the keyboard focus
    /// out of the field being typed in.
    /// </summary>
    protected override async Task OnParametersSetAsync()
    {
        if (ReferenceEquals(renderedState, AuthenticationState))
        {
            return;
        }
        renderedState = AuthenticationState;
        refusal = null;
        var state = await AuthenticationState;
        // The check reads the database (AdministratorGate); one that fails once the page is live becomes a message,
        // while a failure of the prerendered page still reaches the error page.
        databaseFailure = await DatabaseRead.TryAsync(RendererInfo.IsInteractive, async () =>
            allowed = (await Authorization.AuthorizeAsync(state.User, PortalPolicies.Administrator)).Succeeded);
    }

    private string? databaseFailure;

    /// <summary>The actor this page acts as: the session its circuit was opened with.</summary>
    public async Task<Actor> GetActorAsync() => (await AuthenticationState).User.ToActor();

    /// <summary>
    /// Runs <paramref name="action"/> as this page's person and shows why it did not happen, if it did not: a refusal
    /// replaces the admin part; a database failure is a snackbar unless <paramref name="failureShownByPage"/>.
    /// </summary>
    public async Task<AdminResult<T>> RunAsync<T>(Func<Actor, Task<AdminResult<T>>> action, bool failureShownByPage = false)
    {
        var result = await action(await GetActorAsync());
        if (result.Refusal is { } refused)
        {
            refusal = refused;
            StateHasChanged();
            if (AuthenticationStateProvider is PortalAuthenticationStateProvider portal)
            {
                await portal.RevalidateNowAsync();
            }
        }
        else if (result.Failure is { } failure && !failureShownByPage)
        {
            Snackbar.Show(failure, Severity.Error);
        }
        return result;
    }

    /// <summary>
    /// Reads again what the page shows after one of its actions: a database that fails just then becomes a message, and
    /// the page keeps what it showed instead of stopping.
    /// </summary>
    public async Task RefreshAfterActionAsync(Func<Task> read)
    {
        try
        {
            await read();
        }
        catch (Exception e) when (DatabaseFailure.Describe(e) is not null)
        {
            Snackbar.Show("The page could not read the current state from the database (it is busy or unavailable), so what it shows may be out of date. Reload the page in a moment.", Severity.Warning);
        }
    }
}
