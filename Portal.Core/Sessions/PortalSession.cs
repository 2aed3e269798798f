namespace Portal.Core.Sessions;

/// <summary>Whose session it is: the holder of a setup link, or a person who signed in through an integration.</summary>
public enum SessionKind
{
    Setup = 0,
    User = 1,
}

/// <summary>Why a session ended before its lifetime was over.</summary>
public enum SessionEndReason
{
    SignedOut = 0,
    /// <summary>The integration the person signed in through was deleted or lost its trust.</summary>
    IntegrationRemoved = 1,
    /// <summary>An administrator ended it.</summary>
    Revoked = 2,
    /// <summary>The browser signed in again, which replaced it.</summary>
    Replaced = 3,
    /// <summary>The integration it signed in through now points at a different server, whose people are other people.</summary>
    IntegrationServerChanged = 4,
}

/// <summary>
/// A signed-in browser, kept on the server so that signing out, an expired lifetime or the end of Setup Mode ends it
/// everywhere at once: the portal's cookie only names the session, and every request and every action checks it here.
/// </summary>
public sealed class PortalSession
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public SessionKind Kind { get; set; }
    /// <summary>Set for <see cref="SessionKind.User"/> sessions.</summary>
    public Guid? UserId { get; set; }
    /// <summary>The integration a user signed in through.</summary>
    public Guid? IntegrationId { get; set; }
    /// <summary>Set for <see cref="SessionKind.Setup"/> sessions: the setup link that created it; deleting the link ends the session.</summary>
    public int? SetupTokenId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The absolute end of the session, however active it is.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>
    /// The last request its browser made (to the minute): the session ends <c>Sessions:IdleTimeout</c> after it, also
    /// for pages that stay open meanwhile. Null in sessions started before it was kept: their start counts.
    /// </summary>
    public DateTimeOffset? LastSeenAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public SessionEndReason? EndReason { get; set; }
}
