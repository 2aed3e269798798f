namespace Portal.Core.Accounts;

/// <summary>The step of a sign-in that failed; it tells the admin where to look.</summary>
public enum SignInStep
{
    State = 0,
    Authorize = 1,
    Token = 2,
    Identity = 3,
    Account = 4,
}

/// <summary>
/// One attempt to sign in through an integration, successful or not (the status dashboard reads them). Kept for
/// <c>Retention:SignInEvents</c>, then deleted by <see cref="RetentionPruner"/>.
/// </summary>
public sealed class SignInEvent
{
    public long Id { get; set; }
    public Guid IntegrationId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public bool Succeeded { get; set; }
    public SignInStep? FailedStep { get; set; }

    public const int MaxFailureReasonLength = 1024;

    /// <summary>The portal's own message for administrators (cause and fix); never text the caller sent.</summary>
    public string? FailureReason { get; set; }

    /// <summary>The OAuth error code behind the failure, kept only when it is one the portal knows (<see cref="OAuth.OAuthErrorCodes"/>).</summary>
    public string? ErrorCode { get; set; }
}
