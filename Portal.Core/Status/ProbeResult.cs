namespace Portal.Core.Status;

/// <summary>One run of the chain of checks for one integration, stored for the 24-hour view (pruned after 25 hours).</summary>
public sealed class ProbeResult
{
    public long Id { get; set; }
    public Guid IntegrationId { get; set; }
    public DateTimeOffset CheckedAt { get; set; }
    /// <summary>The status decided right after the run, including what sign-ins said at the time.</summary>
    public IntegrationStatus Status { get; set; }
    public ProbeProblem Problem { get; set; }
    /// <summary>The sentence the dashboard showed for this run.</summary>
    public string Summary { get; set; } = "";
    public int DurationMilliseconds { get; set; }
    public int? LatencyMilliseconds { get; set; }
    public string? ServerVersion { get; set; }
    public DateTimeOffset? CertificateExpiresAt { get; set; }
    /// <summary>The <see cref="ProbeStepResult"/>s as JSON (see <see cref="StatusStore"/>).</summary>
    public string StepsJson { get; set; } = "[]";
    /// <summary>
    /// What the check read (<see cref="IntegrationInfo.CheckedSettingsKey"/>), so that after a restart a result of settings
    /// edited since is not shown as the integration's current one. Null for results stored before it was kept.
    /// </summary>
    public string? CheckedSettings { get; set; }
}

/// <summary>A stored result and the settings it checked (<see cref="ProbeResult.CheckedSettings"/>).</summary>
public sealed record StoredReport(IntegrationProbeReport Report, string? CheckedSettings)
{
    /// <summary>
    /// Whether this is a check of <paramref name="integration"/> as it is now; a result of settings edited since (before a
    /// restart, or on another instance) is not. Results stored before the settings were kept count as checks of it.
    /// </summary>
    public bool Checked(IntegrationInfo integration) => CheckedSettings is null || CheckedSettings == integration.CheckedSettingsKey;
}
