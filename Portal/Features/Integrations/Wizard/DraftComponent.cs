using Microsoft.AspNetCore.Components;

namespace Portal.Features.Integrations.Wizard;

/// <summary>A wizard part that re-renders whenever the draft changes (the live check finishes on another thread).</summary>
public abstract class DraftComponent : ComponentBase, IDisposable
{
    [Inject]
    internal IntegrationDraft Draft { get; set; } = null!;

    protected override void OnInitialized() => Draft.Changed += OnDraftChanged;

    private void OnDraftChanged() => _ = InvokeAsync(StateHasChanged);

    public virtual void Dispose()
    {
        Draft.Changed -= OnDraftChanged;
        GC.SuppressFinalize(this);
    }
}
