using System.ComponentModel.DataAnnotations;

namespace Portal.Features.Integrations;

/// <summary>How the Integrations page follows a verification: the <c>Verify</c> section of appsettings.json.</summary>
public sealed class VerifyOptions : IValidatableObject
{
    public const string Section = "Verify";

    /// <summary>
    /// How long the page waits for the server to send the verification's tab back before it explains what may be wrong
    /// (default 2 minutes). The page still shows the result if the tab comes back later.
    /// </summary>
    public TimeSpan ReturnTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A sign-in in flight expires after 10 minutes; waiting longer than that for it makes no sense.
        if (ReturnTimeout < TimeSpan.FromMilliseconds(100) || ReturnTimeout > TimeSpan.FromMinutes(10))
        {
            yield return new ValidationResult(
                $"Verify:ReturnTimeout '{ReturnTimeout}' is out of range: set it between 00:00:00.1 and 00:10:00, e.g. \"00:02:00\".",
                [nameof(ReturnTimeout)]);
        }
    }
}
