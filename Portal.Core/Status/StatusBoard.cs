using Portal.Core.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Core.Status;

/// <summary>
/// The latest status of every integration, in memory, with a change notification. The scheduler and sign-in outcomes
/// publish to it; dashboards only read it and subscribe to <see cref="Changed"/>, so open dashboards cost no probes and
/// no database reads per change. One per process (a singleton).
/// </summary>
public sealed class StatusBoard(TimeProvider clock, ILogger<StatusBoard> logger, IOptions<StatusOptions> options)
{
    private readonly bool backgroundChecks = options.Value.Enabled;

    /// <summary>How many hourly cells the availability strip has.</summary>
    public const int HistoryHours = 24;

    private readonly Lock gate = new();
    private readonly Dictionary<Guid, Entry> entries = [];
    private volatile IReadOnlyList<IntegrationStatusSnapshot> ordered = [];
    private volatile bool loaded;

    /// <summary>
    /// Raised after an integration's snapshot changed, on the publisher's thread. Handlers must be quick and must not
    /// throw; a component calls <c>InvokeAsync(StateHasChanged)</c>.
    /// </summary>
    public event Action<StatusBoardChange>? Changed;

    /// <summary>Whether the board has been filled from the database (see <see cref="IntegrationStatusService.EnsureBoardAsync"/>).</summary>
    public bool IsLoaded => loaded;

    /// <summary>How many handlers are subscribed to <see cref="Changed"/> (open dashboards).</summary>
    public int SubscriberCount => Changed?.GetInvocationList().Length ?? 0;

    /// <summary>Every known integration's snapshot, ordered by name.</summary>
    public IReadOnlyList<IntegrationStatusSnapshot> Snapshots => ordered;

    /// <summary>The snapshot of one integration, or <c>null</c>.</summary>
    public IntegrationStatusSnapshot? Find(Guid integrationId)
    {
        lock (gate)
        {
            return entries.TryGetValue(integrationId, out var entry) ? entry.Snapshot : null;
        }
    }

    /// <summary>Fills the board from stored state: the last report per integration and the checks of the last 24 hours.</summary>
    public void Load(
        IReadOnlyList<IntegrationInfo> integrations,
        IReadOnlyDictionary<Guid, SignInSummary> signIns,
        IReadOnlyDictionary<Guid, IntegrationProbeReport> latestReports,
        IEnumerable<StoredCheck> history)
    {
        var now = clock.GetUtcNow();
        List<StatusBoardChange> changes;
        lock (gate)
        {
            entries.Clear();
            foreach (var integration in integrations)
            {
                entries[integration.Id] = new Entry(integration, signIns.GetValueOrDefault(integration.Id) ?? SignInSummary.None, backgroundChecks)
                {
                    Report = latestReports.GetValueOrDefault(integration.Id),
                };
            }
            // A check that ended after its integration was disabled counts as no check, as it does live.
            foreach (var check in history.Where(c => c.Status != IntegrationStatus.Disabled))
            {
                if (entries.TryGetValue(check.IntegrationId, out var entry))
                {
                    entry.Count(check.CheckedAt, check.Status, now);
                }
            }
            foreach (var entry in entries.Values)
            {
                entry.Refresh(now);
            }
            loaded = true;
            Reorder();
            // Read under the lock: an integration added or removed meanwhile must not break the enumeration.
            changes = entries.Select(e => new StatusBoardChange(e.Key, e.Value.Snapshot)).ToList();
        }
        Raise(changes);
    }

    /// <summary>
    /// Brings the list of integrations up to date (new ones appear as "Not checked yet", deleted ones disappear, names,
    /// enabled flags and verification change), optionally with fresh sign-in summaries. Raises <see cref="Changed"/> for
    /// each integration whose snapshot changed.
    /// </summary>
    public void SyncIntegrations(IReadOnlyList<IntegrationInfo> integrations, IReadOnlyDictionary<Guid, SignInSummary>? signIns = null)
    {
        var now = clock.GetUtcNow();
        var changes = new List<StatusBoardChange>();
        lock (gate)
        {
            var current = integrations.Select(i => i.Id).ToHashSet();
            foreach (var removed in entries.Keys.Where(id => !current.Contains(id)).ToList())
            {
                entries.Remove(removed);
                changes.Add(new StatusBoardChange(removed, null));
            }
            foreach (var integration in integrations)
            {
                if (!entries.TryGetValue(integration.Id, out var entry))
                {
                    entry = new Entry(integration, SignInSummary.None, backgroundChecks);
                    entries[integration.Id] = entry;
                }
                else
                {
                    entry.Replace(integration);
                }
                if (signIns is not null)
                {
                    entry.SignIns = signIns.GetValueOrDefault(integration.Id) ?? SignInSummary.None;
                }
                if (entry.Refresh(now))
                {
                    changes.Add(new StatusBoardChange(integration.Id, entry.Snapshot));
                }
            }
            if (changes.Count > 0)
            {
                Reorder();
            }
        }
        Raise(changes);
    }

    /// <summary>
    /// Publishes a new chain-of-checks result of <paramref name="checkedIntegration"/> as it was checked; returns the new
    /// snapshot, or <c>null</c> for an integration that is gone or whose settings changed while it was being checked.
    /// </summary>
    public IntegrationStatusSnapshot? PublishReport(IntegrationInfo checkedIntegration, IntegrationProbeReport report) =>
        Publish(checkedIntegration.Id, checkedIntegration, report);

    /// <summary>Publishes a result stored by another instance, which stores only results of the settings current when it stored them.</summary>
    public IntegrationStatusSnapshot? PublishReport(Guid integrationId, IntegrationProbeReport report) => Publish(integrationId, null, report);

    private IntegrationStatusSnapshot? Publish(Guid integrationId, IntegrationInfo? checkedIntegration, IntegrationProbeReport report)
    {
        IntegrationStatusSnapshot snapshot;
        lock (gate)
        {
            if (!entries.TryGetValue(integrationId, out var entry) || (checkedIntegration is not null && !checkedIntegration.ChecksTheSameAs(entry.Integration)))
            {
                return null;
            }
            var now = clock.GetUtcNow();
            entry.Report = report;
            entry.Refresh(now);
            if (entry.Snapshot.Status != IntegrationStatus.Disabled)
            {
                entry.Count(report.CheckedAt, entry.Snapshot.Status, now);
                entry.Refresh(now, force: true);
            }
            snapshot = entry.Snapshot;
            ReplaceInOrder(snapshot);
        }
        Raise([new StatusBoardChange(integrationId, snapshot)]);
        return snapshot;
    }

    /// <summary>
    /// Moves the integration's last successful sign-in to <paramref name="recorded"/>'s time (when later), if the board
    /// is loaded; unknown integrations are ignored. Failures and first verifications are read from the database instead
    /// (<see cref="PublishSignIns"/>), since the 24-hour failure count must age out.
    /// </summary>
    public void RecordSuccessfulSignIn(SignInEvent recorded)
    {
        IntegrationStatusSnapshot snapshot;
        lock (gate)
        {
            if (!loaded || !recorded.Succeeded || !entries.TryGetValue(recorded.IntegrationId, out var entry))
            {
                return;
            }
            entry.SignIns = entry.SignIns with { LastSuccessAt = Later(entry.SignIns.LastSuccessAt, recorded.OccurredAt) };
            entry.Refresh(clock.GetUtcNow(), force: true);
            snapshot = entry.Snapshot;
            ReplaceInOrder(snapshot);
        }
        Raise([new StatusBoardChange(recorded.IntegrationId, snapshot)]);
    }

    private static DateTimeOffset Later(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } known && known > candidate ? known : candidate;

    /// <summary>Publishes a sign-in outcome: the integration's verification and sign-in summary after it was recorded.</summary>
    public IntegrationStatusSnapshot? PublishSignIns(IntegrationInfo integration, SignInSummary signIns)
    {
        IntegrationStatusSnapshot snapshot;
        lock (gate)
        {
            if (!entries.TryGetValue(integration.Id, out var entry))
            {
                entry = new Entry(integration, signIns, backgroundChecks);
                entries[integration.Id] = entry;
            }
            entry.Replace(integration);
            entry.SignIns = signIns;
            entry.Refresh(clock.GetUtcNow(), force: true);
            snapshot = entry.Snapshot;
            Reorder();
        }
        Raise([new StatusBoardChange(integration.Id, snapshot)]);
        return snapshot;
    }

    private void Reorder()
    {
        var list = entries.Values.Select(e => e.Snapshot).OrderBy(s => s.Integration.Name, StringComparer.OrdinalIgnoreCase).ToArray();
        positions = list.Select((snapshot, index) => (snapshot.Integration.Id, index)).ToDictionary(p => p.Id, p => p.index);
        ordered = list;
    }

    /// <summary>
    /// A check result changes neither the name nor the set of integrations, so the order stays and one element is
    /// swapped in a copy: a pass over a thousand integrations would otherwise sort the whole list a thousand times.
    /// </summary>
    private void ReplaceInOrder(IntegrationStatusSnapshot snapshot)
    {
        var copy = ordered.ToArray();
        copy[positions[snapshot.Integration.Id]] = snapshot;
        ordered = copy;
    }

    private Dictionary<Guid, int> positions = [];

    private void Raise(List<StatusBoardChange> changes)
    {
        var handlers = Changed;
        if (handlers is null || changes.Count == 0)
        {
            return;
        }
        foreach (var change in changes)
        {
            foreach (var handler in handlers.GetInvocationList().Cast<Action<StatusBoardChange>>())
            {
                try
                {
                    handler(change);
                }
                catch (Exception e)
                {
                    // One broken subscriber (say, a disposed circuit) must not stop the scheduler or the others.
                    logger.LogWarning(e, "A status board subscriber failed to handle a change.");
                }
            }
        }
    }

    /// <summary>One integration's state on the board; guarded by the board's lock.</summary>
    private sealed class Entry(IntegrationInfo integration, SignInSummary signIns, bool backgroundChecks)
    {
        private readonly SortedDictionary<DateTimeOffset, Hour> hours = [];

        public IntegrationInfo Integration { get; set; } = integration;
        public SignInSummary SignIns { get; set; } = signIns;
        public IntegrationProbeReport? Report { get; set; }

        /// <summary>
        /// Takes the integration's current details. A last check of the address, trust or protocol before an edit, or
        /// from before it was disabled, goes: "Not checked yet" until the next check, not an old verdict on new settings.
        /// </summary>
        public void Replace(IntegrationInfo integration)
        {
            if (!Integration.ChecksTheSameAs(integration) || (!Integration.Enabled && integration.Enabled))
            {
                Report = null;
            }
            Integration = integration;
        }
        public IntegrationStatusSnapshot Snapshot { get; private set; } = null!;

        public void Count(DateTimeOffset checkedAt, IntegrationStatus status, DateTimeOffset now)
        {
            var start = HourOf(checkedAt);
            if (start <= HourOf(now).AddHours(-HistoryHours))
            {
                return;
            }
            if (!hours.TryGetValue(start, out var hour))
            {
                hour = new Hour();
                hours[start] = hour;
            }
            hour.Checks++;
            if (IntegrationStatusText.IsAvailable(status))
            {
                hour.Available++;
            }
            if (hour.Worst is null || IntegrationStatusText.Severity(status) > IntegrationStatusText.Severity(hour.Worst.Value))
            {
                hour.Worst = status;
            }
        }

        /// <summary>Rebuilds the snapshot; returns whether anything the dashboard shows changed.</summary>
        public bool Refresh(DateTimeOffset now, bool force = false)
        {
            var first = HourOf(now).AddHours(-(HistoryHours - 1));
            foreach (var old in hours.Keys.Where(k => k < first).ToList())
            {
                hours.Remove(old);
            }
            var strip = Enumerable.Range(0, HistoryHours).Select(i =>
            {
                var start = first.AddHours(i);
                return hours.TryGetValue(start, out var hour)
                    ? new AvailabilityHour(start, hour.Checks, hour.Available, hour.Worst)
                    : new AvailabilityHour(start, 0, 0, null);
            }).ToList();
            var verdict = IntegrationStatusRules.Decide(Integration, Report, SignIns, now, backgroundChecks);
            var previous = Snapshot;
            Snapshot = new IntegrationStatusSnapshot(Integration, verdict.Status, verdict.Summary, Report, SignIns, strip);
            return force || previous is null
                || previous.Integration != Integration || previous.Status != verdict.Status || previous.Summary != verdict.Summary
                || previous.SignIns != SignIns || !previous.Last24Hours.SequenceEqual(strip);
        }

        private static DateTimeOffset HourOf(DateTimeOffset time)
        {
            var utc = time.ToUniversalTime();
            return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
        }

        private sealed class Hour
        {
            public int Checks;
            public int Available;
            public IntegrationStatus? Worst;
        }
    }
}

/// <summary>One stored check, as the 24-hour strip needs it.</summary>
public sealed record StoredCheck(Guid IntegrationId, DateTimeOffset CheckedAt, IntegrationStatus Status);
