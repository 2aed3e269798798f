using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Status;

/// <summary>How the status scheduler probes integrations: the <c>Status</c> section of appsettings.json.</summary>
public sealed class StatusOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Status";

    /// <summary>Whether the background scheduler runs; "Check now" works either way (default <c>true</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long the scheduler waits between two passes over all enabled integrations (default 60 seconds).
    /// A fresh portal's first pass runs one interval after it starts; instances sharing a database run one pass per
    /// interval between them (see <see cref="IntegrationStatusScheduler"/>).</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one integration's whole chain of checks may take before it is reported as timed out (default 10 seconds).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many integrations are probed at the same time (default 8).</summary>
    public int MaxConcurrentProbes { get; set; } = 8;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ProbeInterval < TimeSpan.FromSeconds(1) || ProbeInterval > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult(
                $"Status:ProbeInterval '{ProbeInterval}' is out of range: set it between 00:00:01 and 01:00:00, e.g. \"00:01:00\".",
                [nameof(ProbeInterval)]);
        }
        if (ProbeTimeout < TimeSpan.FromMilliseconds(100) || ProbeTimeout > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult(
                $"Status:ProbeTimeout '{ProbeTimeout}' is out of range: set it between 00:00:00.1 and 00:05:00, e.g. \"00:00:10\".",
                [nameof(ProbeTimeout)]);
        }
        if (MaxConcurrentProbes is < 1 or > 256)
        {
            yield return new ValidationResult(
                $"Status:MaxConcurrentProbes '{MaxConcurrentProbes}' is out of range: set it between 1 and 256, e.g. 8.",
                [nameof(MaxConcurrentProbes)]);
        }
    }
}
