namespace Portal.Core.Authorization;

/// <summary>Why an action was refused; each reason has its own explanation.</summary>
public enum AccessRefusalReason
{
    NotSignedIn,
    SignedOut,
    SessionExpired,
    SessionEnded,
    SetupModeOver,
    SetupSessionExpired,
    SetupLinkReplaced,
    NotAdministrator,
}

/// <summary>An action that was not carried out because its actor may not act (any more), with the reason in words.</summary>
public sealed record AccessRefusal(AccessRefusalReason Reason, string Message)
{
    /// <summary>The refusal concerns a setup session, whose holder needs a setup link rather than a sign-in.</summary>
    public bool ConcernsSetupSession => Reason is AccessRefusalReason.SetupModeOver or AccessRefusalReason.SetupSessionExpired or AccessRefusalReason.SetupLinkReplaced;
}
