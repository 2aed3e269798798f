using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Persistence;
using Portal.Core.Setup;

namespace Portal.Core.Sessions;

/// <summary>Whether a session still lets its browser in, and if not, why.</summary>
public enum SessionState
{
    Active,
    /// <summary>No such session: it never existed, or it ended long ago and was removed.</summary>
    Unknown,
    SignedOut,
    /// <summary>The browser signed in again (in another tab), which started a new session.</summary>
    Replaced,
    Expired,
    /// <summary>Its browser made no request for <c>Sessions:IdleTimeout</c>.</summary>
    Idle,
    /// <summary>A setup session after Setup Mode ended.</summary>
    SetupModeOver,
    /// <summary>A setup session whose link was withdrawn by the <c>setup-mode</c> command, which issued a new one.</summary>
    SetupLinkReplaced,
    IntegrationRemoved,
    /// <summary>The integration it signed in through was pointed at a different server, which unlinked its accounts.</summary>
    IntegrationServerChanged,
    Revoked,
}

/// <summary>The state of one session, read from the database when asked.</summary>
/// <param name="LastSeenAt">When its browser last made a request, as recorded (<see cref="SessionService.SeenAsync"/>).</param>
public sealed record SessionCheck(SessionState State, SessionKind? Kind = null, Guid? UserId = null, DateTimeOffset? LastSeenAt = null)
{
    public bool IsActive => State == SessionState.Active;
}

/// <summary>Starts, checks and ends the server-side sessions that the portal's cookie names.</summary>
public sealed class SessionService(
    IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, IOptions<PortalSessionOptions> options, IOptions<SetupOptions> setupOptions)
{
    /// <summary>Starts the session of a person who signed in through <paramref name="integrationId"/>.</summary>
    public Task<Guid> StartUserSessionAsync(Guid userId, Guid integrationId, CancellationToken cancellationToken = default) =>
        StartAsync(new PortalSession { Kind = SessionKind.User, UserId = userId, IntegrationId = integrationId }, options.Value.AbsoluteLifetime, cancellationToken);

    /// <summary>Starts the session of whoever opened the setup link <paramref name="setupTokenId"/>.</summary>
    public Task<Guid> StartSetupSessionAsync(int setupTokenId, CancellationToken cancellationToken = default) =>
        StartAsync(new PortalSession { Kind = SessionKind.Setup, SetupTokenId = setupTokenId }, setupOptions.Value.SessionLifetime, cancellationToken);

    /// <summary>Ends the session now; later requests and actions with it are refused.</summary>
    public async Task EndAsync(Guid sessionId, SessionEndReason reason, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Sessions.Where(s => s.Id == sessionId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, reason), cancellationToken);
    }

    /// <summary>Reads the session's current state: ended, expired, or (for setup sessions) outlived by Setup Mode.</summary>
    public async Task<SessionCheck> CheckAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await CheckAsync(db, sessionId, cancellationToken);
    }

    internal async Task<SessionCheck> CheckAsync(PortalDbContext db, Guid sessionId, CancellationToken cancellationToken)
    {
        var session = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        if (session is null)
        {
            return new SessionCheck(SessionState.Unknown);
        }
        var now = clock.GetUtcNow();
        var state = session switch
        {
            // The end of Setup Mode explains a setup session's end best, whatever else ended it.
            { Kind: SessionKind.Setup } when !await SetupModeService.IsActiveAsync(db, cancellationToken) => SessionState.SetupModeOver,
            { EndReason: { } reason } => reason switch
            {
                SessionEndReason.SignedOut => SessionState.SignedOut,
                SessionEndReason.Replaced => SessionState.Replaced,
                SessionEndReason.IntegrationRemoved => SessionState.IntegrationRemoved,
                SessionEndReason.IntegrationServerChanged => SessionState.IntegrationServerChanged,
                _ => SessionState.Revoked,
            },
            _ when session.ExpiresAt <= now => SessionState.Expired,
            _ when LastSeen(session) + options.Value.IdleTimeout <= now => SessionState.Idle,
            { Kind: SessionKind.Setup, SetupTokenId: null } => SessionState.SetupLinkReplaced,
            _ => SessionState.Active,
        };
        return new SessionCheck(state, session.Kind, session.UserId, LastSeen(session));
    }

    private static DateTimeOffset LastSeen(PortalSession session) => session.LastSeenAt ?? session.CreatedAt;

    /// <summary>How stale the recorded last request may get before a request records it again: one write a minute per busy session, not one per request.</summary>
    public static readonly TimeSpan SeenPrecision = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Records that the browser of an active session made a request now, when the one recorded (<paramref name="check"/>)
    /// is older than <see cref="SeenPrecision"/>: the idle timeout counts from it, for the cookie and for open pages alike.
    /// </summary>
    public async Task SeenAsync(Guid sessionId, SessionCheck check, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        if (!check.IsActive || check.LastSeenAt is { } seen && now - seen < SeenPrecision)
        {
            return;
        }
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.Sessions.Where(s => s.Id == sessionId && s.EndedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now), cancellationToken);
        }
        catch (Exception e) when (DatabaseFailure.Describe(e) is not null)
        {
            // A busy database must not fail the request; the next request records it, well within the idle timeout.
        }
    }

    /// <summary>Like <see cref="StartUserSessionAsync"/>, saved by <paramref name="db"/>'s next <c>SaveChanges</c> with the rest of the sign-in.</summary>
    internal Guid AddUserSession(PortalDbContext db, Guid userId, Guid integrationId) =>
        Add(db, new PortalSession { Kind = SessionKind.User, UserId = userId, IntegrationId = integrationId }, options.Value.AbsoluteLifetime);

    private async Task<Guid> StartAsync(PortalSession session, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var id = Add(db, session, lifetime);
        await db.SaveChangesAsync(cancellationToken);
        return id;
    }

    private Guid Add(PortalDbContext db, PortalSession session, TimeSpan lifetime)
    {
        session.CreatedAt = clock.GetUtcNow();
        session.LastSeenAt = session.CreatedAt;
        session.ExpiresAt = session.CreatedAt + lifetime;
        db.Sessions.Add(session);
        return session.Id;
    }
}
