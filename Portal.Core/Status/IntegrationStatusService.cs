using Portal.Core.Integrations;
using Portal.Core.Platforms;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Core.Security;

namespace Portal.Core.Status;

/// <summary>How one scheduler pass went.</summary>
/// <param name="StartedAt">When the pass started.</param>
/// <param name="Integrations">How many enabled integrations were probed.</param>
/// <param name="Duration">How long the pass took, from loading the integrations to storing the results.</param>
public sealed record ProbePassSummary(DateTimeOffset StartedAt, int Integrations, TimeSpan Duration);

/// <summary>
/// Does the status work: a pass over all enabled integrations (with at most <see cref="StatusOptions.MaxConcurrentProbes"/>
/// probes at a time, shared with "Check now"), a single "Check now", and sign-in outcomes. Publishes to the
/// <see cref="StatusBoard"/>, stores results and announces them to other instances (<see cref="StatusFeed"/>); shows
/// what other instances announce (<see cref="StatusFeedListener"/>). The timing lives in <see cref="IntegrationStatusScheduler"/>.
/// </summary>
public sealed class IntegrationStatusService(
    IServiceScopeFactory scopes,
    StatusStore store,
    StatusBoard board,
    StatusFeed feed,
    IOptions<StatusOptions> options,
    TimeProvider clock,
    AdminActions actions,
    ILogger<IntegrationStatusService> logger) : ISignInOutcomeListener, IIntegrationChangeListener, IDisposable
{
    private readonly SemaphoreSlim slots = new(options.Value.MaxConcurrentProbes, options.Value.MaxConcurrentProbes);
    // Check now has slots of its own: behind a pass over a large fleet of unreachable servers it would wait minutes.
    private readonly SemaphoreSlim interactiveSlots = new(options.Value.MaxConcurrentProbes, options.Value.MaxConcurrentProbes);
    private readonly SemaphoreSlim loading = new(1, 1);
    // Loading the integrations and applying them to the board is one step at a time: a pass's list, read before an
    // administrator's change, must not be applied after the change's newer list (a created integration would vanish).
    private readonly SemaphoreSlim syncing = new(1, 1);
    private readonly CancellationTokenSource lifetime = new();
    private int disposed;
    private readonly ConcurrentDictionary<Guid, Lazy<Task<IntegrationStatusSnapshot?>>> checksInFlight = new();
    private volatile IReadOnlyDictionary<Guid, long> loadedThroughResultId = new Dictionary<Guid, long>();

    /// <summary>Raised at the end of every pass (tests count probes per pass with it).</summary>
    public event Action<ProbePassSummary>? PassCompleted;

    /// <summary>Loads the board from the database once, then brings its list of integrations up to date (one query).</summary>
    public async Task EnsureBoardAsync(CancellationToken ct = default)
    {
        if (!await LoadBoardOnceAsync(ct))
        {
            await SyncBoardAsync(withSignIns: false, ct);
        }
    }

    /// <summary>Probes every enabled integration once, publishing each result as soon as it is known, then stores them.</summary>
    public async Task<ProbePassSummary> RunPassAsync(CancellationToken ct)
    {
        var startedAt = clock.GetUtcNow();
        var started = clock.GetTimestamp();
        await LoadBoardOnceAsync(ct);
        // Fresh sign-in summaries each pass, so failures older than 24 hours age out of the status.
        var integrations = await SyncBoardAsync(withSignIns: true, ct);

        var enabled = integrations.Where(i => i.Enabled).ToList();
        var results = new ConcurrentQueue<ProbeResult>();
        await Task.WhenAll(enabled.Select(async integration =>
        {
            // Not stored: a check of settings edited meanwhile, or of an integration disabled while it ran.
            if (await CheckAsync(integration, slots, ct) is { LastReport: { } report, Status: not IntegrationStatus.Disabled } snapshot)
            {
                results.Enqueue(StatusStore.ToEntity(report, snapshot));
            }
        }));
        await feed.ResultsStoredAsync(await store.SaveAsync(results, prune: true, ct, enabled.ToDictionary(i => i.Id)), ct);

        var summary = new ProbePassSummary(startedAt, enabled.Count, clock.GetElapsedTime(started));
        logger.LogDebug("Checked {Count} integrations in {Milliseconds} ms.", summary.Integrations, (int)summary.Duration.TotalMilliseconds);
        PassCompleted?.Invoke(summary);
        return summary;
    }

    /// <summary>
    /// Runs the chain of checks for one integration now and returns its new snapshot (with every step), or <c>null</c>
    /// when it no longer exists. A disabled integration is not probed. Concurrent requests for the same integration share one probe.
    /// Only an actor who may administer the portal at that moment can ask.
    /// </summary>
    public Task<AdminResult<IntegrationStatusSnapshot?>> CheckNowAsync(Actor actor, Guid integrationId, CancellationToken ct = default) =>
        actions.RunAsync(actor, async token =>
        {
            var check = checksInFlight.GetOrAdd(integrationId, id => new Lazy<Task<IntegrationStatusSnapshot?>>(() => CheckOneAndForgetAsync(id)));
            return await check.Value.WaitAsync(token);
        }, ct);

    /// <inheritdoc />
    public async Task SignInRecordedAsync(SignInEvent recorded, bool integrationChanged, CancellationToken cancellationToken)
    {
        try
        {
            await feed.SignInRecordedAsync(recorded.IntegrationId, cancellationToken);
            if (recorded.Succeeded && !integrationChanged)
            {
                // The common case, a sign-in through a verified integration, moves one date: no query per sign-in.
                board.RecordSuccessfulSignIn(recorded);
            }
            else
            {
                // A failure changes the 24-hour count (which must age out) and a first success the verification: read both.
                await ShowSignInsAsync(recorded.IntegrationId, cancellationToken);
            }
        }
        catch (Exception e)
        {
            // A sign-in never fails because the dashboard could not be told about it.
            logger.LogWarning(e, "The status board could not show the sign-in through integration {IntegrationId}.", recorded.IntegrationId);
        }
    }

    /// <inheritdoc />
    public async Task IntegrationsChangedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await feed.IntegrationsChangedAsync(cancellationToken);
            await ShowIntegrationsAsync(cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The status board could not show a change to the integrations; it shows it with the next pass of checks.");
        }
    }

    /// <summary>Brings the board's integrations (names, flags, trust, new and deleted ones) up to date, if it was loaded.</summary>
    internal async Task ShowIntegrationsAsync(CancellationToken ct)
    {
        if (board.IsLoaded)
        {
            await SyncBoardAsync(withSignIns: false, ct);
        }
    }

    /// <summary>Reads the integrations (and, with <paramref name="withSignIns"/>, their sign-in summaries) and applies them to the board, one caller at a time.</summary>
    private async Task<IReadOnlyList<IntegrationInfo>> SyncBoardAsync(bool withSignIns, CancellationToken ct)
    {
        IReadOnlyList<IntegrationInfo> integrations = [];
        await WhileSyncingAsync(async () =>
        {
            // The slow read (90 days of sign-ins) first, so the list applied is as fresh as it can be.
            var signIns = withSignIns ? await store.LoadSignInsAsync(null, ct) : null;
            integrations = await store.LoadIntegrationsAsync(ct);
            if (signIns is null)
            {
                board.SyncIntegrations(integrations);
            }
            else
            {
                board.SyncIntegrations(integrations, signIns);
            }
        }, ct);
        return integrations;
    }

    /// <summary>Shows results another instance stored (by row id), with the integrations' latest names, flags and deletions.</summary>
    internal async Task ShowResultsStoredElsewhereAsync(IReadOnlyCollection<long> resultIds, CancellationToken ct)
    {
        if (!board.IsLoaded || resultIds.Count == 0)
        {
            return; // loading the board reads the results fresh
        }
        // Integrations created, edited or deleted on another instance show up here with that instance's next results;
        // and sign-in failures older than 24 hours age out here too, as they do where the passes run.
        await SyncBoardAsync(withSignIns: true, ct);
        foreach (var (integrationId, id, stored) in await store.LoadResultsAsync(resultIds, ct))
        {
            // A result the last load already showed is not counted twice in the 24-hour strip. Row ids, not check
            // times: those come from the clocks of different machines. Nor is a check of settings edited since shown
            // as the integration's status (the other instance stored it just before the edit was committed).
            if (!(loadedThroughResultId.TryGetValue(integrationId, out var loaded) && id <= loaded)
                && (board.Find(integrationId) is not { } shown || stored.Checked(shown.Integration)))
            {
                board.PublishReport(integrationId, stored.Report);
            }
        }
    }

    /// <summary>Shows sign-ins another instance recorded through these integrations.</summary>
    internal async Task ShowSignInsRecordedElsewhereAsync(IReadOnlyCollection<Guid> integrationIds, CancellationToken ct)
    {
        foreach (var integrationId in integrationIds)
        {
            await ShowSignInsAsync(integrationId, ct);
        }
    }

    /// <summary>
    /// Without background checks (Status:Enabled false), what passes otherwise keep current: sign-in failures older
    /// than 24 hours age out of the status and the strip moves on to the current hour. Probes nothing.
    /// </summary>
    public async Task RefreshWithoutChecksAsync(CancellationToken ct)
    {
        if (board.IsLoaded)
        {
            await SyncBoardAsync(withSignIns: true, ct);
        }
    }

    /// <summary>Reads the whole board afresh, if it was loaded (after notices may have been missed).</summary>
    internal async Task ReloadBoardAsync(CancellationToken ct)
    {
        if (!board.IsLoaded)
        {
            return;
        }
        await loading.WaitAsync(ct);
        try
        {
            await LoadBoardAsync(ct);
        }
        finally
        {
            loading.Release();
        }
    }

    private async Task ShowSignInsAsync(Guid integrationId, CancellationToken ct)
    {
        if (!board.IsLoaded)
        {
            return; // nothing shows it yet; loading the board reads the sign-ins fresh
        }
        await WhileSyncingAsync(() => PublishSignInsAsync(integrationId, ct), ct);
    }

    /// <summary>Reads one integration and its sign-ins and shows them; a deleted one leaves the board. Run while syncing.</summary>
    private async Task<IntegrationInfo?> PublishSignInsAsync(Guid integrationId, CancellationToken ct)
    {
        var integration = await store.LoadIntegrationAsync(integrationId, ct);
        if (integration is null)
        {
            board.SyncIntegrations(await store.LoadIntegrationsAsync(ct));
            return null;
        }
        var signIns = await store.LoadSignInsAsync(integrationId, ct);
        board.PublishSignIns(integration, signIns.GetValueOrDefault(integrationId) ?? SignInSummary.None);
        return integration;
    }

    private async Task<IntegrationStatusSnapshot?> CheckOneAndForgetAsync(Guid integrationId)
    {
        // Yields first, so the entry is in the dictionary before this removes it.
        await Task.Yield();
        try
        {
            return await CheckOneAsync(integrationId, lifetime.Token);
        }
        finally
        {
            checksInFlight.TryRemove(integrationId, out _);
        }
    }

    private async Task<IntegrationStatusSnapshot?> CheckOneAsync(Guid integrationId, CancellationToken ct)
    {
        await LoadBoardOnceAsync(ct);
        IntegrationInfo? integration = null;
        IntegrationStatusSnapshot? snapshot = null;
        // Edited while it was being checked: that check said nothing about it, so it is checked once more as it is now.
        for (var attempt = 0; attempt < 2 && snapshot is null; attempt++)
        {
            await WhileSyncingAsync(async () => integration = await PublishSignInsAsync(integrationId, ct), ct);
            if (integration is null)
            {
                return null;
            }
            if (!integration.Enabled)
            {
                return board.Find(integrationId);
            }
            snapshot = await CheckAsync(integration, interactiveSlots, ct);
        }
        if (snapshot is null || integration is null)
        {
            return board.Find(integrationId);
        }
        if (snapshot is { LastReport: { } report, Status: not IntegrationStatus.Disabled })
        {
            await feed.ResultsStoredAsync(await store.SaveAsync([StatusStore.ToEntity(report, snapshot)], prune: false, ct,
                new Dictionary<Guid, IntegrationInfo> { [integration.Id] = integration }), ct);
        }
        return snapshot;
    }

    /// <summary>Probes one integration in a slot and publishes the result.</summary>
    private async Task<IntegrationStatusSnapshot?> CheckAsync(IntegrationInfo integration, SemaphoreSlim gate, CancellationToken ct)
    {
        IntegrationProbeReport report;
        await gate.WaitAsync(ct);
        try
        {
            // A scope per probe: the typed HttpClient comes from the factory, so handlers rotate and DNS changes are seen.
            await using var scope = scopes.CreateAsyncScope();
            var probe = scope.ServiceProvider.GetRequiredService<IntegrationHealthProbe>();
            if (scope.ServiceProvider.GetRequiredService<PlatformCatalog>().Find(integration.Platform) is not { } platform)
            {
                report = new IntegrationProbeReport(clock.GetUtcNow(), 0, null, null, null, ProbeProblem.Misconfigured,
                    [new ProbeStepResult(ProbeStep.Dns, StepOutcome.Failed, PlatformCatalog.Unknown(integration.Platform), null, 0)]);
            }
            else
            {
                using (OutboundTrust.Use(integration.TrustedCaPem))
                {
                    report = await probe.ProbeAsync(platform, integration.BaseUrl, integration.OAuthVersion, ct);
                }
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogError(e, "Checking integration {IntegrationId} failed unexpectedly.", integration.Id);
            report = new IntegrationProbeReport(clock.GetUtcNow(), 0, null, null, null, ProbeProblem.Unreachable,
            [
                new ProbeStepResult(ProbeStep.Dns, StepOutcome.Failed,
                    $"The portal could not run the checks ({e.GetType().Name}): see the portal's log for details, then choose Check now again.", null, 0),
            ]);
        }
        finally
        {
            gate.Release();
        }
        return board.PublishReport(integration, report);
    }

    /// <summary>Loads the board if nobody has yet; returns whether this call loaded it.</summary>
    private async Task<bool> LoadBoardOnceAsync(CancellationToken ct)
    {
        if (board.IsLoaded)
        {
            return false;
        }
        await loading.WaitAsync(ct);
        try
        {
            if (board.IsLoaded)
            {
                return false;
            }
            await LoadBoardAsync(ct);
            return true;
        }
        finally
        {
            loading.Release();
        }
    }

    /// <remarks>Called while <c>loading</c> is held; takes <c>syncing</c> after it (never the other way round).</remarks>
    private async Task LoadBoardAsync(CancellationToken ct) => await WhileSyncingAsync(async () =>
    {
        var signIns = await store.LoadSignInsAsync(null, ct);
        var (latest, history, latestIds) = await store.LoadResultsAsync(ct);
        var integrations = await store.LoadIntegrationsAsync(ct);
        loadedThroughResultId = latestIds;
        // A result of settings edited since (before a restart, or on another instance) is not the integration's status.
        var current = integrations.ToDictionary(i => i.Id);
        var reports = latest.Where(r => current.TryGetValue(r.Key, out var integration) && r.Value.Checked(integration)).ToDictionary(r => r.Key, r => r.Value.Report);
        board.Load(integrations, signIns, reports, history);
    }, ct);

    /// <summary>Runs a read of the database and its application to the board, one at a time (see <c>syncing</c>).</summary>
    private async Task WhileSyncingAsync(Func<Task> readAndApply, CancellationToken ct)
    {
        await syncing.WaitAsync(ct);
        try
        {
            await readAndApply();
        }
        finally
        {
            syncing.Release();
        }
    }

    public void Dispose()
    {
        // Registered twice (as itself and as the sign-in listener), so the container disposes it twice.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }
        lifetime.Cancel();
        lifetime.Dispose();
        slots.Dispose();
        interactiveSlots.Dispose();
        syncing.Dispose();
        loading.Dispose();
    }
}
