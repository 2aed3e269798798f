using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Configuration;

/// <summary>How long the portal keeps records of sign-in attempts: the <c>Retention</c> section of appsettings.json.</summary>
public sealed class RetentionOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Retention";

    /// <summary>Sign-in events older than this are deleted (default 90 days).</summary>
    public TimeSpan SignInEvents { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often old records are looked for; the first time is at start (default 1 hour).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The status page counts failures of the last 24 hours, so a shorter retention would falsify it.
        if (SignInEvents < TimeSpan.FromDays(1) || SignInEvents > TimeSpan.FromDays(3650))
        {
            yield return new ValidationResult(
                $"Retention:SignInEvents '{SignInEvents}' is out of range: set it between 1.00:00:00 (one day) and 3650.00:00:00 (ten years), e.g. \"90.00:00:00\".",
                [nameof(SignInEvents)]);
        }
        if (PruneInterval < TimeSpan.FromSeconds(1) || PruneInterval > TimeSpan.FromDays(1))
        {
            yield return new ValidationResult(
                $"Retention:PruneInterval '{PruneInterval}' is out of range: set it between 00:00:01 and 1.00:00:00, e.g. \"01:00:00\".",
                [nameof(PruneInterval)]);
        }
    }
}
