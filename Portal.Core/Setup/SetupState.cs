namespace Portal.Core.Setup;

/// <summary>
/// The one row that records a recovery: the portal is back in Setup Mode, although administrators exist, until
/// someone signs in with the new setup link's session. Without a recovery, Setup Mode simply lasts while no
/// administrator exists.
/// </summary>
public sealed class SetupState
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    /// <summary>When the <c>setup-mode</c> command put the portal back into Setup Mode; null when it did not.</summary>
    public DateTimeOffset? RecoveryRequestedAt { get; set; }
}
