using Microsoft.EntityFrameworkCore;
using Portal.Core.Authorization;
using Portal.Core.Persistence;
using Portal.Core.Sessions;

namespace Portal.Core.Audit;

/// <summary>
/// Writes the audit log. An action adds its entry to the <see cref="PortalDbContext"/> it changes and saves both
/// together (its <c>SaveChanges</c>, or its transaction when it uses <c>ExecuteUpdate</c>), so there is no entry
/// without the change and no change without the entry:
/// <code>await audit.AddAsync(db, actor, AuditKind.IntegrationEdited, integration.Id, "Base URL: a → b", ct);</code>
/// Details are the portal's own words; a secret value never goes in.
/// </summary>
public sealed class AuditLog(TimeProvider clock)
{
    internal const int MaxNameLength = 200;
    internal const int MaxDetailsLength = 1024;

    /// <summary>How entries name the holder of a setup session.</summary>
    public const string SetupSessionName = "Setup session";

    /// <summary>How entries name the portal itself and the operator at its console.</summary>
    public const string SystemName = "System";

    /// <summary>How entries name a browser without a portal session.</summary>
    public const string AnonymousName = "Someone not signed in";

    /// <summary>
    /// Adds an entry for what <paramref name="actor"/> did (who is read from its session, where from its
    /// <see cref="Actor.ClientAddress"/>); it is written by <paramref name="db"/>'s next <c>SaveChanges</c>.
    /// </summary>
    /// <param name="subjectUserId">The person the action was done to, e.g. whose role changed.</param>
    public async Task AddAsync(PortalDbContext db, Actor actor, AuditKind kind, Guid? integrationId = null, string? details = null,
        Guid? subjectUserId = null, CancellationToken cancellationToken = default)
    {
        var entry = await NewEntryAsync(db, kind, integrationId, details, subjectUserId, cancellationToken);
        entry.ClientAddress = Truncate(actor.ClientAddress, 64);
        // A session started in the same save (a sign-in) is only in the change tracker.
        var session = actor.SessionId is not { } sessionId ? null
            : db.Sessions.Local.FirstOrDefault(s => s.Id == sessionId) is { } started ? new { started.Kind, started.UserId }
            : await db.Sessions.AsNoTracking().Where(s => s.Id == sessionId).Select(s => new { s.Kind, s.UserId }).SingleOrDefaultAsync(cancellationToken);
        (entry.ActorKind, entry.ActorUserId, entry.ActorName) = session switch
        {
            { Kind: SessionKind.Setup } => (AuditActorKind.SetupSession, (Guid?)null, SetupSessionName),
            { Kind: SessionKind.User, UserId: { } userId } => (AuditActorKind.Person, userId, await NameOfAsync(db, userId, cancellationToken)),
            _ => (AuditActorKind.Anonymous, null, AnonymousName),
        };
        db.AuditEntries.Add(entry);
    }

    /// <summary>Adds an entry for what the portal did by itself or what its operator did at the console.</summary>
    public async Task AddSystemAsync(PortalDbContext db, AuditKind kind, string? details = null, Guid? integrationId = null, Guid? subjectUserId = null,
        CancellationToken cancellationToken = default)
    {
        var entry = await NewEntryAsync(db, kind, integrationId, details, subjectUserId, cancellationToken);
        (entry.ActorKind, entry.ActorName) = (AuditActorKind.System, SystemName);
        db.AuditEntries.Add(entry);
    }

    private async Task<AuditEntry> NewEntryAsync(PortalDbContext db, AuditKind kind, Guid? integrationId, string? details, Guid? subjectUserId, CancellationToken cancellationToken) => new()
    {
        OccurredAt = clock.GetUtcNow(),
        Kind = kind,
        IntegrationId = integrationId,
        IntegrationName = integrationId is { } id ? Truncate(await IntegrationNameAsync(db, id, cancellationToken), MaxNameLength) : null,
        SubjectUserId = subjectUserId,
        SubjectName = subjectUserId is { } subject ? await NameOfAsync(db, subject, cancellationToken) : null,
        Details = Truncate(details, MaxDetailsLength),
    };

    private static async Task<string?> IntegrationNameAsync(PortalDbContext db, Guid integrationId, CancellationToken cancellationToken) =>
        // An integration being created is only in the change tracker until the shared SaveChanges.
        db.Integrations.Local.FirstOrDefault(i => i.Id == integrationId)?.Name
        ?? await db.Integrations.AsNoTracking().Where(i => i.Id == integrationId).Select(i => i.Name).SingleOrDefaultAsync(cancellationToken);

    private static async Task<string> NameOfAsync(PortalDbContext db, Guid userId, CancellationToken cancellationToken) =>
        Truncate(db.Users.Local.FirstOrDefault(u => u.Id == userId)?.DisplayName
            ?? await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.DisplayName).SingleOrDefaultAsync(cancellationToken), MaxNameLength)
        ?? "A person who no longer exists";

    private static string? Truncate(string? value, int length) => value is { Length: > 0 } && value.Length > length ? value[..length] : value;
}
