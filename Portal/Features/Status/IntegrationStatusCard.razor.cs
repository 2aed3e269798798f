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
    /// <summary>How many checks from this card showed their steps: the key of the steps disclosure, opened afresh by each.</summary>
    private int stepsShownByCheck;
    private string? checkError;
    private string? announcement;

    [Parameter, EditorRequired] public IntegrationStatusSnapshot Snapshot { get; set; } = null!;

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

    private async Task CheckNowAsync()
    {
        checking = true;
        checkError = null;
        announcement = $"Checking {Snapshot.Integration.Name}…";
        ownStateChanged = true;
        StateHasChanged();
        try
        {
            var checkedNow = await Admin.RunAsync(actor => StatusService.CheckNowAsync(actor, Snapshot.Integration.Id));
            if (!checkedNow.Succeeded)
            {
                announcement = checkedNow.Refusal?.Message ?? checkedNow.Failure;
                checkError = checkedNow.Failure;
                return;
            }
            if (checkedNow.Value is not { } result)
            {
                checkError = "This integration no longer exists, so there is nothing to check. Reload the page to update the list.";
            }
            else
            {
                stepsShownByCheck++;
                announcement = $"{result.Integration.Name}: {IntegrationStatusText.Of(result.Status)}. {result.Summary}";
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            checkError = $"The check could not run ({e.GetType().Name}). Try again in a moment; if it keeps failing, the portal's log has the details.";
        }
        finally
        {
            checking = false;
            ownStateChanged = true;
        }
    }
}
