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
    /// <summary>A setup session ended while Setup Mode lasts: its holder needs a new setup link rather than a sign-in.</summary>
    public bool NeedsSetupLink => Reason is AccessRefusalReason.SetupSessionExpired or AccessRefusalReason.SetupLinkReplaced;
}
