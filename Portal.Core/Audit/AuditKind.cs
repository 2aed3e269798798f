namespace Portal.Core.Audit;

/// <summary>
/// What an audit entry records. Stored by name, so entries keep their meaning when kinds are added; the numbers only
/// order the filter on the audit page.
/// </summary>
public enum AuditKind
{
    IntegrationCreated = 10,
    IntegrationEdited = 11,
    IntegrationVerified = 12,
    /// <summary>A Verify round trip that did not complete; the details name the step and the portal's reason.</summary>
    IntegrationVerificationFailed = 13,
    IntegrationDisabled = 14,
    IntegrationEnabled = 15,
    IntegrationDeleted = 16,
    SecretReplacementStarted = 20,
    SecretReplacementCompleted = 21,
    SecretReplacementFailed = 22,
    /// <summary>An administrator discarded pending credentials; the current ones stay.</summary>
    SecretReplacementDiscarded = 23,
    CertificateTrusted = 30,
    CertificateRemoved = 31,
    SetupModeStarted = 40,
    SetupModeEnded = 42,
    SetupModeReentered = 43,
    AdministratorGranted = 50,
    AdministratorRevoked = 51,
    /// <summary>An administrator removed an orphaned account (one left without an integration to sign in through).</summary>
    AccountRemoved = 52,
    SignInSucceeded = 60,
    SignInFailed = 61,
}

/// <summary>Who did what an audit entry records.</summary>
public enum AuditActorKind
{
    /// <summary>A person signed in through an integration.</summary>
    Person = 0,
    /// <summary>Whoever held a setup session (the one-time setup link) while Setup Mode lasted.</summary>
    SetupSession = 1,
    /// <summary>The portal itself, or an operator at the server's console (the <c>setup-mode</c> command).</summary>
    System = 2,
    /// <summary>A browser without a portal session, e.g. someone whose sign-in failed.</summary>
    Anonymous = 3,
}

/// <summary>How the audit page names each kind.</summary>
public static class AuditKindNames
{
    public static string Describe(AuditKind kind) => kind switch
    {
        AuditKind.IntegrationCreated => "Integration created",
        AuditKind.IntegrationEdited => "Integration edited",
        AuditKind.IntegrationVerified => "Integration verified",
        AuditKind.IntegrationVerificationFailed => "Verification failed",
        AuditKind.IntegrationDisabled => "Integration disabled",
        AuditKind.IntegrationEnabled => "Integration enabled",
        AuditKind.IntegrationDeleted => "Integration deleted",
        AuditKind.SecretReplacementStarted => "Secret replacement started",
        AuditKind.SecretReplacementCompleted => "Secret replacement completed",
        AuditKind.SecretReplacementFailed => "Secret replacement failed",
        AuditKind.SecretReplacementDiscarded => "Secret replacement discarded",
        AuditKind.CertificateTrusted => "CA certificate trusted",
        AuditKind.CertificateRemoved => "CA certificate removed",
        AuditKind.SetupModeStarted => "Setup Mode started",
        AuditKind.SetupModeEnded => "Setup Mode ended",
        AuditKind.SetupModeReentered => "Setup Mode re-entered",
        AuditKind.AdministratorGranted => "Administrator role granted",
        AuditKind.AdministratorRevoked => "Administrator role revoked",
        AuditKind.AccountRemoved => "Orphaned account removed",
        AuditKind.SignInSucceeded => "Sign-in succeeded",
        AuditKind.SignInFailed => "Sign-in failed",
        _ => kind.ToString(),
    };
}
