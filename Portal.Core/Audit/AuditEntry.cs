namespace Portal.Core.Audit;

/// <summary>
/// One thing that happened to the portal's configuration, roles or sign-ins: who, when, what, which integration and
/// from which address. Names are copied when the entry is written, so an entry still reads the same after the person
/// or the integration is gone. Never holds a secret value. Kept for <c>Audit:RetentionDays</c>.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public AuditKind Kind { get; set; }

    public AuditActorKind ActorKind { get; set; }
    /// <summary>Set when <see cref="ActorKind"/> is <see cref="AuditActorKind.Person"/>.</summary>
    public Guid? ActorUserId { get; set; }
    /// <summary>The person's display name at the time, or how the portal names a setup session or itself.</summary>
    public string ActorName { get; set; } = "";

    /// <summary>The person the action was done to (a role granted or revoked), when it is not the actor.</summary>
    public Guid? SubjectUserId { get; set; }
    public string? SubjectName { get; set; }

    /// <summary>Not a foreign key: the entry outlives a deleted integration.</summary>
    public Guid? IntegrationId { get; set; }
    public string? IntegrationName { get; set; }

    /// <summary>The client address behind the trusted proxies; none for the portal's own actions.</summary>
    public string? ClientAddress { get; set; }

    /// <summary>What happened in the portal's own words (a reason, a changed value); never a secret, never text a caller sent unchecked.</summary>
    public string? Details { get; set; }
}
