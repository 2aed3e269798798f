using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Persistence;
using Portal.Core.Sessions;

namespace Portal.Core.Authorization;

/// <summary>
/// Decides from the current database state whether an actor may administer the portal: an active session of an
/// administrator, or an active setup session while Setup Mode lasts. Every state-changing action asks it when it runs,
/// so a page left open loses its powers the moment its person does.
/// </summary>
public sealed class AdministratorGate(IDbContextFactory<PortalDbContext> dbFactory, SessionService sessions, IOptions<SetupOptions> setupOptions,
    IOptions<PortalSessionOptions> sessionOptions)
{
    /// <summary>Null when the actor may act now; otherwise why not.</summary>
    public async Task<AccessRefusal?> CheckAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        if (actor.SessionId is null)
        {
            return NotSignedIn;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await CheckAsync(db, actor, cancellationToken);
    }

    /// <summary>Like <see cref="CheckAsync(Actor, CancellationToken)"/>, in <paramref name="db"/>'s transaction.</summary>
    internal async Task<AccessRefusal?> CheckAsync(PortalDbContext db, Actor actor, CancellationToken cancellationToken)
    {
        if (actor.SessionId is not { } sessionId)
        {
            return NotSignedIn;
        }
        var session = await sessions.CheckAsync(db, sessionId, cancellationToken);
        if (!session.IsActive)
        {
            return Refusal(session);
        }
        if (session.Kind == SessionKind.Setup)
        {
            return null;
        }
        return await db.Users.AnyAsync(u => u.Id == session.UserId && u.IsAdministrator, cancellationToken)
            ? null
            : new AccessRefusal(AccessRefusalReason.NotAdministrator,
                "You are no longer an administrator. Sign in again; if you should have the role, ask an administrator to grant it on People.");
    }

    private static readonly AccessRefusal NotSignedIn = new(AccessRefusalReason.NotSignedIn,
        "You are not signed in, so this page cannot make changes. Sign in again.");

    private AccessRefusal Refusal(SessionCheck session) => (session.State, session.Kind) switch
    {
        (SessionState.SetupModeOver, _) => new(AccessRefusalReason.SetupModeOver,
            "Setup Mode has ended: an administrator has signed in, so the setup link no longer gives access. Sign in with an administrator's account."),
        (SessionState.SetupLinkReplaced, _) => new(AccessRefusalReason.SetupLinkReplaced,
            "A new setup link was issued with the setup-mode command, which ended every earlier setup session. Open the new link from the command's output."),
        (SessionState.Expired, SessionKind.Setup) => new(AccessRefusalReason.SetupSessionExpired,
            $"Your setup session has expired (setup sessions last {Describe(setupOptions.Value.SessionLifetime)}). Restart the portal for a new setup link, or run the setup-mode command."),
        (SessionState.Expired, _) => new(AccessRefusalReason.SessionExpired,
            "Your session has reached its maximum lifetime. Sign in again."),
        (SessionState.Idle, SessionKind.Setup) => new(AccessRefusalReason.SetupSessionExpired,
            $"Your setup session ended because this browser made no request to the portal for {Describe(sessionOptions.Value.IdleTimeout)}. Restart the portal for a new setup link, or run the setup-mode command."),
        (SessionState.Idle, _) => new(AccessRefusalReason.SessionExpired,
            $"Your session ended because this browser made no request to the portal for {Describe(sessionOptions.Value.IdleTimeout)}; a page left open does not count as one. Sign in again."),
        (SessionState.SignedOut, _) => new(AccessRefusalReason.SignedOut,
            "You signed out (in this or another tab), so this page can no longer make changes. Sign in again."),
        (SessionState.Replaced, _) => new(AccessRefusalReason.SessionEnded,
            "You signed in again (in another tab), which started a new session for this browser. Reload this page to continue with it."),
        (SessionState.IntegrationRemoved, _) => new(AccessRefusalReason.SessionEnded,
            "The integration you signed in through was removed, which ended your session. Sign in again through another integration."),
        (SessionState.IntegrationServerChanged, _) => new(AccessRefusalReason.SessionEnded,
            "An administrator pointed the integration you signed in through at a different server, which ended your session and unlinked your account from it. Sign in again: through it, with your account on the new server, you get a new portal account."),
        _ => new(AccessRefusalReason.SessionEnded,
            "Your session has ended, so this page can no longer make changes. Sign in again."),
    };

    private static string Describe(TimeSpan lifetime) => lifetime switch
    {
        { TotalHours: 1 } => "1 hour",
        { TotalHours: >= 1 } when lifetime.TotalHours % 1 == 0 => $"{lifetime.TotalHours:0} hours",
        _ => $"{lifetime.TotalMinutes:0} minutes",
    };
}
