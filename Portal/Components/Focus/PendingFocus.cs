using Microsoft.JSInterop;

namespace Portal.Components.Focus;

/// <summary>
/// Where keyboard focus goes after the next render, for an action that removes or replaces the control that had it:
/// without it the browser drops focus to the top of the page, and keyboard and screen-reader users lose their place.
/// </summary>
internal sealed class PendingFocus
{
    private Func<ValueTask>? next;

    /// <summary>Moves focus with <paramref name="focus"/> once the component has rendered again.</summary>
    public void After(Func<ValueTask> focus) => next = focus;

    /// <summary>Called from <c>OnAfterRenderAsync</c>.</summary>
    public async Task ApplyAsync()
    {
        if (next is not { } focus)
        {
            return;
        }
        next = null;
        try
        {
            await focus();
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or TaskCanceledException or InvalidOperationException)
        {
            // The element went away again, or the browser did; focus stays where the browser put it.
        }
    }
}
