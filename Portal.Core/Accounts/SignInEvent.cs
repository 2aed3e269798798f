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

/// <summary>One attempt to sign in through an integration, successful or not (the status dashboard reads them).</summary>
public sealed class SignInEvent
{
    public long Id { get; set; }
    public Guid IntegrationId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public bool Succeeded { get; set; }
    public SignInStep? FailedStep { get; set; }
    public string? FailureReason { get; set; }
}
