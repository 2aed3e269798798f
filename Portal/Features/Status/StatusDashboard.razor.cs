using Portal.Core.Persistence;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Portal.Core.Status;

namespace Portal.Features.Status;

/// <summary>
/// The live status dashboard. It only reads the <see cref="StatusBoard"/> and re-renders when the board changes:
/// opening it never causes a probe, and the browser never polls.
/// </summary>
public partial class StatusDashboard : IDisposable
{
    private IReadOnlyList<IntegrationStatusSnapshot>? snapshots;
    private int refreshQueued;
    private bool subscribed;
    private readonly CancellationTokenSource closed = new();

    /// <summary>
    /// Cards per page. A fleet of a thousand integrations on one page took the server minutes to render for twenty
    /// dashboards and the browser over a gigabyte per tab; a page of cards renders at once whatever the fleet's size.
    /// </summary>
    internal const int PageSize = 48;

    private int page = 1;

    private int PageCount => snapshots is null ? 0 : (snapshots.Count + PageSize - 1) / PageSize;

    /// <summary>The page shown; a fleet that shrank under it shows its last page.</summary>
    private int CurrentPage => Math.Clamp(page, 1, Math.Max(1, PageCount));

    private int FirstShown => (CurrentPage - 1) * PageSize;

    private int LastShown => Math.Min(FirstShown + PageSize, snapshots?.Count ?? 0);

    private IReadOnlyList<IntegrationStatusSnapshot> Shown =>
        snapshots is null ? [] : PageCount <= 1 ? snapshots : snapshots.Skip(FirstShown).Take(PageSize).ToList();

    private void ShowPage(int selected) => page = selected;

    private string? announcement;
    private readonly Action<string> announce;

    // One delegate for the page's life: a method group passed in markup is a new delegate on every render, which every
    // card would take for a changed parameter and render again.
    public StatusDashboard() => announce = Announce;

    /// <summary>Shows a card's message in the live region (called from the card's event handler, on the renderer's thread).</summary>
    private void Announce(string text)
    {
        announcement = text;
        StateHasChanged();
    }

    /// <summary>How long changes are collected before the dashboard renders them.</summary>
    internal static readonly TimeSpan RefreshDelay = TimeSpan.FromMilliseconds(200);

    [Inject] private StatusBoard Board { get; set; } = null!;

    [Inject] private IntegrationStatusService StatusService { get; set; } = null!;

    [Inject] private IOptions<StatusOptions> Options { get; set; } = null!;

    private string IntervalText
    {
        get
        {
            var interval = Options.Value.ProbeInterval;
            return interval.TotalSeconds < 120
                ? string.Create(CultureInfo.InvariantCulture, $"{interval.TotalSeconds:0.#} seconds")
                : string.Create(CultureInfo.InvariantCulture, $"{interval.TotalMinutes:0.#} minutes");
        }
    }

    protected override async Task OnInitializedAsync()
    {
        if (RendererInfo.IsInteractive)
        {
            // Subscribe before loading, so that no change between the two is missed.
            Board.Changed += OnBoardChanged;
            subscribed = true;
        }
        try
        {
            await StatusService.EnsureBoardAsync();
        }
        catch (Exception e) when (DatabaseFailure.DescribeRead(e) is { } failure)
        {
            // The board fills from the database; the subscription stays, so the page catches up with the next change.
            loadFailure = failure;
        }
        snapshots = Board.Snapshots;
    }

    private string? loadFailure;

    /// <summary>
    /// Called on the publisher's thread. Never renders there: one refresh is queued after a short pause, so a pass that
    /// publishes a hundred results costs a few renders per dashboard, and the scheduler never waits for a circuit.
    /// </summary>
    private void OnBoardChanged(StatusBoardChange change)
    {
        if (Interlocked.Exchange(ref refreshQueued, 1) == 0)
        {
            _ = RefreshSoonAsync();
        }
    }

    private async Task RefreshSoonAsync()
    {
        try
        {
            await Task.Delay(RefreshDelay, closed.Token);
            Volatile.Write(ref refreshQueued, 0);
            await InvokeAsync(() =>
            {
                snapshots = Board.Snapshots;
                if (Board.IsLoaded)
                {
                    // The board filled after all (a pass or a change read the database): the failure is past.
                    loadFailure = null;
                }
                StateHasChanged();
            });
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The dashboard was closed meanwhile.
        }
    }

    public void Dispose()
    {
        if (subscribed)
        {
            Board.Changed -= OnBoardChanged;
        }
        closed.Cancel();
        closed.Dispose();
        GC.SuppressFinalize(this);
    }
}
