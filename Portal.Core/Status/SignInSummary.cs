namespace Portal.Core.Status;

/// <summary>Sign-ins through one integration as the dashboard shows them.</summary>
/// <param name="LastSuccessAt">The last successful sign-in (or verification), ever.</param>
/// <param name="FailuresLast24Hours">Failed sign-ins in the last 24 hours.</param>
/// <param name="LastFailureAt">The last failed sign-in, ever.</param>
/// <param name="LastFailureReason">The message the last failed sign-in showed.</param>
public sealed record SignInSummary(DateTimeOffset? LastSuccessAt, int FailuresLast24Hours, DateTimeOffset? LastFailureAt, string? LastFailureReason)
{
    /// <summary>No sign-in attempt recorded.</summary>
    public static SignInSummary None { get; } = new(null, 0, null, null);

    /// <summary>Sign-ins failed in the last 24 hours and none succeeded after the last failure.</summary>
    public bool FailingSinceLastSuccess =>
        FailuresLast24Hours > 0 && LastFailureAt is { } failedAt && (LastSuccessAt is null || LastSuccessAt < failedAt);
}
