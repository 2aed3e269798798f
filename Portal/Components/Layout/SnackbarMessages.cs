using MudBlazor;

namespace Portal.Components.Layout;

/// <summary>How the portal's pages show a snackbar.</summary>
public static class SnackbarMessages
{
    /// <summary>
    /// Shows <paramref name="message"/>. An error or a warning explains something to act on (why a switch flipped back,
    /// why nothing was saved), often in a long sentence: it stays until closed instead of leaving after five seconds,
    /// so nobody has to read it in time (WCAG 2.2.1). Confirmations still leave by themselves.
    /// </summary>
    public static void Show(this ISnackbar snackbar, string message, Severity severity) =>
        snackbar.Add(message, severity, options =>
        {
            if (severity is Severity.Error or Severity.Warning)
            {
                options.RequireInteraction = true;
                options.ShowCloseIcon = true;
            }
        });
}
