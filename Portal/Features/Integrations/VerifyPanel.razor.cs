using Portal.Core.Platforms;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.OAuth;

namespace Portal.Features.Integrations;

/// <summary>
/// Follows the verification this page started in a new tab: "Waiting for …" (the platform's server) with the time
/// left, then the result as the callback tab shows it, pushed through the circuit by <see cref="VerificationNotifier"/>. When the server
/// does not send the tab back within <see cref="VerifyOptions.ReturnTimeout"/> (its own error page, a wrong Base URL
/// setting, a 2FA plugin, a closed tab), it explains the likely causes and offers to verify again.
/// </summary>
public sealed partial class VerifyPanel : IDisposable
{
    private const string TitleId = "verify-panel-title";
    private ITimer? timer;
    private bool disposed;

    internal enum PanelState
    {
        Idle,
        Waiting,
        Succeeded,
        Failed,
        TimedOut,
    }

    [Inject] private VerificationNotifier Notifier { get; set; } = null!;
    [Inject] private TimeProvider Clock { get; set; } = null!;
    [Inject] private IOptions<VerifyOptions> Options { get; set; } = null!;
    [Inject] private IOptions<PortalOptions> Portal { get; set; } = null!;
    [Inject] private PlatformCatalog Platforms { get; set; } = null!;

    /// <summary>The page's watch id; its Verify forms send it along.</summary>
    [Parameter, EditorRequired] public string WatchId { get; set; } = "";

    /// <summary>The integrations the page lists, for names and addresses.</summary>
    [Parameter, EditorRequired] public IReadOnlyList<IntegrationSummary> Integrations { get; set; } = [];

    /// <summary>The page verifies pending new credentials: "Verify again" tests them again, not the current ones.</summary>
    [Parameter] public bool NewCredentials { get; set; }

    /// <summary>Called when a verification succeeded or failed, so the page can show the integration's new status.</summary>
    [Parameter] public EventCallback OnVerificationFinished { get; set; }

    /// <summary>The latest news of the verification the panel follows.</summary>
    internal VerificationUpdate? Current { get; private set; }

    private bool TimedOut { get; set; }

    internal PanelState State => Current switch
    {
        null => PanelState.Idle,
        { State: VerificationState.Waiting } => TimedOut ? PanelState.TimedOut : PanelState.Waiting,
        { State: VerificationState.Succeeded } => PanelState.Succeeded,
        _ => PanelState.Failed,
    };

    private bool IsShown => State != PanelState.Idle;

    private string StateName => State switch
    {
        PanelState.TimedOut => "timed-out",
        _ => State.ToString().ToLowerInvariant(),
    };

    private string StatusText => State switch
    {
        PanelState.Waiting => $"Waiting for {Words.ServerName}…",
        PanelState.TimedOut => $"{Words.ServerNameAtStart} did not send the browser back.",
        PanelState.Succeeded or PanelState.Failed => Current!.Message ?? "",
        _ => "",
    };

    /// <summary>A coloured bar beside the status line; the text keeps the body colour, for contrast.</summary>
    private string StatusClass => State switch
    {
        PanelState.Succeeded => "verify-status verify-status-success",
        PanelState.Failed or PanelState.TimedOut => "verify-status verify-status-error",
        PanelState.Waiting => "verify-status verify-status-waiting",
        _ => "verify-status",
    };

    private IntegrationSummary? Integration => Current is { } current ? Integrations.FirstOrDefault(i => i.Id == current.IntegrationId) : null;

    private string IntegrationName => Integration?.Name ?? "the integration";

    private string CallbackUrlText => Current is { } current ? CallbackUrl.For(Portal.Value.NormalizedPublicUrl, current.IntegrationId) : "";

    private string BaseUrlText => Integration?.BaseUrl ?? "";

    private IPlatform? Platform => Integration is { } integration ? Platforms.Find(integration.Platform) : null;

    private PlatformWording Words => Platform?.Kind.Wording ?? PlatformWording.Generic;

    private IReadOnlyList<string> PlatformCauses => Platform is { } platform ? platform.VerifyTimeoutCauses(BaseUrlText) : [];

    // The likeliest cause of all over http, where the platform needs https: the consent page never sends the browser back.
    private string? PlainHttpCause => Integration is { OAuthVersion: OAuthVersion.OAuth2 } integration ? Platform?.LikelySignInCause(integration.BaseUrl) : null;

    private TimeSpan TimeLeft => Current is { } current
        ? TimeSpan.FromTicks(Math.Max(0, (current.StartedAt + Options.Value.ReturnTimeout - Clock.GetUtcNow()).Ticks))
        : TimeSpan.Zero;

    protected override void OnInitialized() => Notifier.Changed += OnUpdate;

    private void OnUpdate(VerificationUpdate update)
    {
        if (update.WatchId == WatchId)
        {
            _ = InvokeAsync(() => ApplyAsync(update));
        }
    }

    private async Task ApplyAsync(VerificationUpdate update)
    {
        // The page may start a second verification before the first comes back; the panel follows the latest, and the
        // first one's result stays in its own tab.
        var olderOne = update.State != VerificationState.Waiting && update.VerificationId != Guid.Empty
            && Current is { State: VerificationState.Waiting } current && current.VerificationId != update.VerificationId;
        if (olderOne)
        {
            return;
        }
        Current = update;
        TimedOut = false;
        StopTimer();
        if (update.State == VerificationState.Waiting)
        {
            ScheduleTick();
        }
        StateHasChanged();
        if (update.State != VerificationState.Waiting)
        {
            await OnVerificationFinished.InvokeAsync();
        }
    }

    private void ScheduleTick()
    {
        if (disposed)
        {
            return; // a tick queued before the page went away must not start the timer again
        }
        var left = TimeLeft;
        var due = left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
        timer = Clock.CreateTimer(_ => _ = InvokeAsync(Tick), null, due, Timeout.InfiniteTimeSpan);
    }

    private void Tick()
    {
        StopTimer();
        if (State != PanelState.Waiting)
        {
            return;
        }
        if (TimeLeft <= TimeSpan.Zero)
        {
            TimedOut = true;
        }
        else
        {
            ScheduleTick();
        }
        StateHasChanged();
    }

    private void StopTimer()
    {
        timer?.Dispose();
        timer = null;
    }

    /// <summary>"1:45", "0:03"; whole seconds, rounded up while time is left.</summary>
    internal static string FormatDuration(TimeSpan duration)
    {
        var seconds = (long)Math.Ceiling(duration.TotalSeconds);
        return $"{seconds / 60}:{seconds % 60:00}";
    }

    /// <summary>"2 minutes", "3 seconds", "1 minute 30 seconds".</summary>
    internal static string DescribeDuration(TimeSpan duration)
    {
        var seconds = (long)Math.Ceiling(duration.TotalSeconds);
        static string Unit(long count, string name) => count == 1 ? $"1 {name}" : $"{count} {name}s";
        return (seconds / 60, seconds % 60) switch
        {
            (0, var s) => Unit(s, "second"),
            (var m, 0) => Unit(m, "minute"),
            (var m, var s) => $"{Unit(m, "minute")} {Unit(s, "second")}",
        };
    }

    public void Dispose()
    {
        disposed = true;
        Notifier.Changed -= OnUpdate;
        StopTimer();
    }
}
