namespace Portal.Core.Status;

/// <summary>One hour of checks in the 24-hour availability strip.</summary>
/// <param name="Start">The start of the hour (UTC).</param>
/// <param name="Checks">How many checks ran in that hour.</param>
/// <param name="Available">How many of them found the integration usable (Connected, Not verified or Degraded).</param>
/// <param name="Worst">The worst status of the hour; <c>null</c> when nothing was checked.</param>
public sealed record AvailabilityHour(DateTimeOffset Start, int Checks, int Available, IntegrationStatus? Worst);

/// <summary>Everything the dashboard shows for one integration, immutable: a change replaces the whole snapshot.</summary>
/// <param name="Integration">The integration itself.</param>
/// <param name="Status">The decided status.</param>
/// <param name="Summary">Why: a full sentence naming the cause and, where there is one, the fix.</param>
/// <param name="LastReport">The last chain of checks, or <c>null</c> when it has not been checked yet.</param>
/// <param name="SignIns">Sign-ins through the integration.</param>
/// <param name="Last24Hours">24 hourly cells, oldest first; the last one is the current hour.</param>
public sealed record IntegrationStatusSnapshot(
    IntegrationInfo Integration,
    IntegrationStatus Status,
    string Summary,
    IntegrationProbeReport? LastReport,
    SignInSummary SignIns,
    IReadOnlyList<AvailabilityHour> Last24Hours)
{
    /// <summary>The share of checks in the last 24 hours that found the integration usable; <c>null</c> without checks.</summary>
    public double? Availability
    {
        get
        {
            var checks = Last24Hours.Sum(h => h.Checks);
            return checks == 0 ? null : (double)Last24Hours.Sum(h => h.Available) / checks;
        }
    }
}

/// <summary>What changed on the <see cref="StatusBoard"/>: one integration's new snapshot, or <c>null</c> when it was deleted.</summary>
public sealed record StatusBoardChange(Guid IntegrationId, IntegrationStatusSnapshot? Snapshot);
