using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Configuration;

/// <summary>The operator's settings under the <c>Setup</c> section of appsettings.json.</summary>
public sealed class SetupOptions : IValidatableObject
{
    public const string Section = "Setup";

    /// <summary>How long a setup session lasts at most; it also ends when Setup Mode ends.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long a setup link can be opened after it was printed: the portal's log may be read by more people later.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(24);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SessionLifetime < TimeSpan.FromMinutes(1) || SessionLifetime > TimeSpan.FromDays(7))
        {
            yield return new ValidationResult(
                $"Setup:SessionLifetime '{SessionLifetime}' must be between 00:01:00 and 7.00:00:00 (for example 08:00:00).", [nameof(SessionLifetime)]);
        }
        if (LinkLifetime < TimeSpan.FromMinutes(1) || LinkLifetime > TimeSpan.FromDays(30))
        {
            yield return new ValidationResult(
                $"Setup:LinkLifetime '{LinkLifetime}' must be between 00:01:00 and 30.00:00:00 (for example 1.00:00:00).", [nameof(LinkLifetime)]);
        }
    }
}
