namespace Portal.Core.Status;

/// <summary>Sign-ins through one integration as the dashboard shows them.</summary>
/// <param name="LastSuccessAt">The last successful sign-in (or verification), ever.</param>
/// <param name="FailuresLast24Hours">Failed sign-ins in the last 24 hours.</param>
/// <param name="LastFailureAt">The last failed sign-in, ever.</param>
/// <param name="LastFailureReason">The portal's message for administrators about the last failed sign-in.</param>
/// <param name="LastFailureErrorCode">The OAuth error code of the last failed sign-in, when it is one the portal knows.</param>
public sealed record SignInSummary(DateTimeOffset? LastSuccessAt, int FailuresLast24Hours, DateTimeOffset? LastFailureAt, string? LastFailureReason,
    string? LastFailureErrorCode = null)
{
    /// <summary>No sign-in attempt recorded.</summary>
    public static SignInSummary None { get; } = new(null, 0, null, null);

    /// <summary>Sign-ins failed in the last 24 hours and none succeeded after the last failure.</summary>
    public bool FailingSinceLastSuccess =>
        FailuresLast24Hours > 0 && LastFailureAt is { } failedAt && (LastSuccessAt is null || LastSuccessAt < failedAt);
}
