using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Sessions;

/// <summary>The operator's settings under the <c>Sessions</c> section of appsettings.json.</summary>
public sealed class PortalSessionOptions : IValidatableObject
{
    public const string Section = "Sessions";

    /// <summary>A session ends after this long without a request (sliding).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A session ends this long after sign-in, however active it is.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often an open page re-checks that its person still has access.</summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IdleTimeout < TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult($"Sessions:IdleTimeout '{IdleTimeout}' must be at least 00:01:00 (for example 12:00:00).", [nameof(IdleTimeout)]);
        }
        if (AbsoluteLifetime < IdleTimeout)
        {
            yield return new ValidationResult(
                $"Sessions:AbsoluteLifetime '{AbsoluteLifetime}' must be at least Sessions:IdleTimeout '{IdleTimeout}' (for example 7.00:00:00).", [nameof(AbsoluteLifetime)]);
        }
        if (RevalidationInterval < TimeSpan.FromMilliseconds(100) || RevalidationInterval > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult(
                $"Sessions:RevalidationInterval '{RevalidationInterval}' must be between 00:00:00.1 and 01:00:00 (for example 00:00:30).", [nameof(RevalidationInterval)]);
        }
    }
}
