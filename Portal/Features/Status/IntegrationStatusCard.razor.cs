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
    private bool stepsExpanded;
    private string? checkError;
    private string? announcement;

    [Parameter, EditorRequired] public IntegrationStatusSnapshot Snapshot { get; set; } = null!;

    [Inject] private IntegrationStatusService StatusService { get; set; } = null!;

    [CascadingParameter] private AdminAccess Admin { get; set; } = null!;

    [Inject] private TimeProvider Clock { get; set; } = null!;

    private string TitleId => $"status-card-{Snapshot.Integration.Id:N}";

    private string VersionText => Snapshot.LastReport?.ServerVersion
        ?? (Snapshot.Integration.ServerVersion is { } recorded ? $"{recorded} (as last recorded)" : "unknown");

    protected override bool ShouldRender() => ownStateChanged || !ReferenceEquals(rendered, Snapshot);

    protected override void OnAfterRender(bool firstRender)
    {
        rendered = Snapshot;
        ownStateChanged = false;
    }

    private void ShowSteps(bool expanded)
    {
        stepsExpanded = expanded;
        ownStateChanged = true;
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
                stepsExpanded = true;
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
