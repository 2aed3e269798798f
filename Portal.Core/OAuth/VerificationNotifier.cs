using Microsoft.Extensions.Logging;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Security;

namespace Portal.Core.OAuth;

/// <summary>Where a watched verification stands.</summary>
public enum VerificationState
{
    /// <summary>The browser was sent to the server; the portal waits for it to come back to the callback.</summary>
    Waiting,
    /// <summary>The callback completed and the server identified the administrator.</summary>
    Succeeded,
    /// <summary>The verification could not start, or its callback failed.</summary>
    Failed,
}

/// <summary>News of one watched verification, for the page that started it.</summary>
/// <param name="WatchId">The watching page's id, sent along with its Verify form.</param>
/// <param name="VerificationId">Tells two verifications from one page apart: the pending authorization's id;
/// <see cref="Guid.Empty"/> for a verification that could not start.</param>
/// <param name="StartedAt">When the portal sent the browser to the server, or refused to.</param>
/// <param name="Message">For <see cref="VerificationState.Succeeded"/> and <see cref="VerificationState.Failed"/>: the same
/// words the verification's own tab shows (administrator detail included; only administrators can start one).</param>
public sealed record VerificationUpdate(string WatchId, Guid VerificationId, Guid IntegrationId, VerificationState State, DateTimeOffset StartedAt, string? Message);

/// <summary>
/// Tells an open Integrations page how the verification it started in another tab went. Verify sends the browser to
/// the server in a new tab with the page's watch id; the callback that completes the verification may come back there,
/// or never (the server's own error page, a closed tab). Watches live in memory, keyed by the pending authorization, and
/// end with its callback or its expiry. One per process (a singleton), like the status board.
/// </summary>
public sealed class VerificationNotifier(TimeProvider clock, ILogger<VerificationNotifier> logger)
{
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, Watch> watches = [];

    /// <summary>
    /// Raised for every update of every watch, on the publisher's thread. Handlers keep the updates of their own watch
    /// id, must be quick and must not throw; a component calls <c>InvokeAsync</c>.
    /// </summary>
    public event Action<VerificationUpdate>? Changed;

    /// <summary>How many handlers are subscribed to <see cref="Changed"/>.</summary>
    public int SubscriberCount => Changed?.GetInvocationList().Length ?? 0;

    /// <summary>How many verifications are watched and have not come back yet.</summary>
    public int PendingCount
    {
        get
        {
            lock (gate)
            {
                return watches.Count;
            }
        }
    }

    /// <summary>A fresh, unguessable watch id for a page.</summary>
    public static string NewWatchId() => SecretHash.NewRandomToken(16);

    /// <summary>Whether <paramref name="value"/> looks like a watch id (form input is checked before it is kept).</summary>
    public static bool IsWatchId(string? value) =>
        value is { Length: >= 16 and <= 64 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The browser is on its way to the server for the pending authorization <paramref name="verificationId"/>.</summary>
    internal void Started(string? watchId, Guid verificationId, Guid integrationId, DateTimeOffset expiresAt)
    {
        if (!IsWatchId(watchId))
        {
            return;
        }
        var now = clock.GetUtcNow();
        lock (gate)
        {
            foreach (var expired in watches.Where(w => w.Value.ExpiresAt <= now).Select(w => w.Key).ToList())
            {
                watches.Remove(expired);
            }
            watches[verificationId] = new Watch(watchId!, integrationId, now, expiresAt);
        }
        Raise(new VerificationUpdate(watchId!, verificationId, integrationId, VerificationState.Waiting, now, null));
    }

    /// <summary>The verification could not even send the browser to the server.</summary>
    internal void FailedToStart(string? watchId, Guid integrationId, string message)
    {
        if (IsWatchId(watchId))
        {
            Raise(new VerificationUpdate(watchId!, Guid.Empty, integrationId, VerificationState.Failed, clock.GetUtcNow(), message));
        }
    }

    /// <summary>The callback of the pending authorization <paramref name="verificationId"/> finished; a second callback finds no watch.</summary>
    internal void Completed(Guid verificationId, SignInOutcome outcome)
    {
        Watch? watch;
        lock (gate)
        {
            if (!watches.Remove(verificationId, out watch))
            {
                return;
            }
        }
        Raise(new VerificationUpdate(watch.WatchId, verificationId, watch.IntegrationId,
            outcome.Succeeded ? VerificationState.Succeeded : VerificationState.Failed, watch.StartedAt,
            outcome.Succeeded ? VerificationMessages.Succeeded(outcome) : VerificationMessages.Failed(outcome)));
    }

    private void Raise(VerificationUpdate update)
    {
        var handlers = Changed;
        if (handlers is null)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList().Cast<Action<VerificationUpdate>>())
        {
            try
            {
                handler(update);
            }
            catch (Exception e)
            {
                // A broken subscriber (say, a disposed circuit) must not fail the callback or the other pages.
                logger.LogWarning(e, "A verification watcher failed to handle an update.");
            }
        }
    }

    private sealed record Watch(string WatchId, Guid IntegrationId, DateTimeOffset StartedAt, DateTimeOffset ExpiresAt);
}
