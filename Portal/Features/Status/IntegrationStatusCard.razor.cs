using Microsoft.AspNetCore.Components;
using Portal.Components.Authorization;
using Portal.Core.Status;

namespace Portal.Features.Status;

/// <summary>
/// One integration on the dashboard. Snapshots are immutable, so the card renders again only when it gets a new one
/// (or its own state changes): a change to one integration does not re-render a hundred cards.
/// </summary>
public partial class IntegrationStatusCard
{
    private IntegrationStatusSnapshot? rendered;
    private bool ownStateChanged;
    private bool checking;
    private string? checkError;

    /// <summary>How many checks from this card showed their steps: the key of the steps disclosure, opened afresh by each.</summary>
    private int stepsShownByCheck;

    /// <summary>Whether the steps have been opened here (once is enough: the disclosure's state stays in the browser).</summary>
    private bool stepsWanted;

    [Parameter, EditorRequired] public IntegrationStatusSnapshot Snapshot { get; set; } = null!;

    /// <summary>
    /// Tells screen readers how a check went, in the dashboard's one live region: a region per card would cost every
    /// open dashboard five render tree frames per card.
    /// </summary>
    [Parameter] public Action<string>? Announce { get; set; }

    [Inject] private IntegrationStatusService StatusService { get; set; } = null!;

    [CascadingParameter] private AdminAccess Admin { get; set; } = null!;

    [Inject] private TimeProvider Clock { get; set; } = null!;

    private static readonly MarkupString StripAxis = new(
        "<div class=\"status-strip-axis\" aria-hidden=\"true\"><span>24 hours ago</span><span>now</span></div>");

    /// <summary>The button's icon and label while no check runs, the same for every card.</summary>
    private static readonly MarkupString CheckNowLabel = new(
        "<span class=\"mud-button-label\"><span class=\"mud-button-icon-start mud-button-icon-size-small\">" +
        "<svg class=\"mud-icon-root mud-svg-icon mud-icon-size-small\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\">" +
        MudBlazor.Icons.Material.Filled.Refresh + "</svg></span><span>Check now</span></span>");

    protected override bool ShouldRender() => ownStateChanged || !ReferenceEquals(rendered, Snapshot);

    protected override void OnAfterRender(bool firstRender)
    {
        rendered = Snapshot;
        ownStateChanged = false;
    }

    /// <summary>
    /// The disclosure opened or closed (or Check now opened it). A toggle does not say which, so the steps stay rendered
    /// from the first one on: a closed disclosure just hides them.
    /// </summary>
    private void WantSteps()
    {
        if (!stepsWanted)
        {
            stepsWanted = true;
            ownStateChanged = true;
        }
    }

    private async Task CheckNowAsync()
    {
        if (checking)
        {
            return; // marked busy, not disabled (see the button): a second press would announce the same check again
        }
        checking = true;
        checkError = null;
        Announce?.Invoke($"Checking {Snapshot.Integration.Name}…");
        ownStateChanged = true;
        StateHasChanged();
        try
        {
            var checkedNow = await Admin.RunAsync(actor => StatusService.CheckNowAsync(actor, Snapshot.Integration.Id));
            if (!checkedNow.Succeeded)
            {
                // The status page has no snackbars: the page's live region reads the failure out.
                Announce?.Invoke(checkedNow.Refusal?.Message ?? checkedNow.Failure ?? "");
                checkError = checkedNow.Failure;
                return;
            }
            if (checkedNow.Value is not { } result)
            {
                checkError = "This integration no longer exists, so there is nothing to check. Reload the page to update the list.";
                Announce?.Invoke(checkError);
            }
            else
            {
                stepsShownByCheck++;
                stepsWanted = true;
                Announce?.Invoke($"{result.Integration.Name}: {IntegrationStatusText.Of(result.Status)}. {result.Summary}");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            checkError = $"The check could not run ({e.GetType().Name}). Try again in a moment; if it keeps failing, the portal's log has the details.";
            Announce?.Invoke(checkError);
        }
        finally
        {
            checking = false;
            ownStateChanged = true;
        }
    }
}
