using Portal.Core.Configuration;
using Microsoft.Extensions.Options;
using Portal.Core.Sessions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.Setup;

/// <summary>What happened to a setup link that was opened.</summary>
public enum SetupLinkOutcome
{
    Accepted,
    /// <summary>No token with this value exists: mistyped, or replaced by a newer link after a restart.</summary>
    Unknown,
    AlreadyUsed,
    /// <summary>Printed longer ago than <see cref="SetupOptions.LinkLifetime"/> and not opened.</summary>
    Expired,
    /// <summary>An administrator exists, so the portal no longer needs a setup link.</summary>
    SetupModeOver,
}

/// <summary>Why the portal is in Setup Mode.</summary>
public enum SetupModeReason
{
    /// <summary>It is not: an administrator exists and no recovery is under way.</summary>
    None,

    /// <summary>A new portal: no administrator exists yet.</summary>
    NoAdministrator,

    /// <summary>The <c>setup-mode</c> command put it back into Setup Mode, although administrators exist.</summary>
    Recovery,
}

/// <summary>The outcome of opening a setup link; <see cref="TokenId"/> identifies the accepted link, which its session is bound to.</summary>
public sealed record SetupLinkRedemption(SetupLinkOutcome Outcome, int? TokenId = null);

/// <summary>The outcome of a sign-in by the holder of a setup session.</summary>
/// <param name="Ended">Setup Mode ended with this sign-in.</param>
/// <param name="BecameAdministrator">The person was not an administrator before.</param>
/// <param name="AfterRecovery">Setup Mode was the recovery's (administrators existed), not a new portal's.</param>
public sealed record SetupModeEnd(bool Ended, bool BecameAdministrator, bool AfterRecovery = false);

/// <summary>
/// Setup Mode: the portal is in it while no administrator exists, or after the <c>setup-mode</c> recovery command until
/// someone signs in with the new link. A one-time link (random token, stored hashed) grants the admin pages to whoever
/// opens it first; each start replaces the previous unused link. The first sign-in by a setup session's holder ends
/// Setup Mode and makes that person an administrator.
/// </summary>
public sealed class SetupModeService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, AuditLog audit, IOptions<SetupOptions>? options = null)
{
    private readonly TimeSpan linkLifetime = (options?.Value ?? new SetupOptions()).LinkLifetime;

    public async Task<bool> IsActiveAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await IsActiveAsync(db, cancellationToken);
    }

    /// <summary>Why the portal is in Setup Mode, if it is: a new portal, or the <c>setup-mode</c> recovery command.</summary>
    public async Task<SetupModeReason> ReasonAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.SetupStates.AnyAsync(s => s.RecoveryRequestedAt != null, cancellationToken))
        {
            return SetupModeReason.Recovery;
        }
        return await db.Users.AnyAsync(u => u.IsAdministrator, cancellationToken) ? SetupModeReason.None : SetupModeReason.NoAdministrator;
    }

    internal static async Task<bool> IsActiveAsync(PortalDbContext db, CancellationToken cancellationToken) =>
        !await db.Users.AnyAsync(u => u.IsAdministrator, cancellationToken)
        || await db.SetupStates.AnyAsync(s => s.RecoveryRequestedAt != null, cancellationToken);

    /// <summary>
    /// Issues a new one-time token and invalidates every earlier unused one; links already opened keep their sessions.
    /// Returns null when Setup Mode is over.
    /// </summary>
    public async Task<string?> IssueTokenAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockForTransactionAsync(DatabaseLock.Administrators, cancellationToken);
        if (!await IsActiveAsync(db, cancellationToken))
        {
            return null;
        }
        await db.SetupTokens.Where(t => t.UsedAt == null).ExecuteDeleteAsync(cancellationToken);
        await audit.AddSystemAsync(db, AuditKind.SetupModeStarted,
            "The portal started without an administrator it can use, so it is in Setup Mode and wrote a new one-time setup link to its log.", cancellationToken: cancellationToken);
        var token = await AddTokenAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return token;
    }

    /// <summary>
    /// Recovery when no administrator can sign in: puts the portal back into Setup Mode (a recovery when administrators
    /// exist; without any, the first Setup Mode goes on), ends every earlier setup session (their links are deleted) and
    /// returns a fresh one-time token. Administrators keep their role; Setup Mode ends again when someone signs in with
    /// the new link.
    /// </summary>
    public async Task<string> ReenterAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockForTransactionAsync(DatabaseLock.Administrators, cancellationToken);
        var now = clock.GetUtcNow();
        // Without an administrator the portal is in its first Setup Mode already, which the first sign-in ends as the
        // first administrator: a recovery would change both the banner and that.
        if (await db.Users.AnyAsync(u => u.IsAdministrator, cancellationToken)
            && await db.SetupStates.Where(s => s.Id == SetupState.SingletonId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.RecoveryRequestedAt, now), cancellationToken) == 0)
        {
            db.SetupStates.Add(new SetupState { RecoveryRequestedAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }
        // Deleting the links ends the sessions bound to them (the database cascades).
        await db.SetupTokens.ExecuteDeleteAsync(cancellationToken);
        await audit.AddSystemAsync(db, AuditKind.SetupModeReentered,
            "The setup-mode command was run at the server's console: every earlier setup session ended and a new setup link was issued.", cancellationToken: cancellationToken);
        var token = await AddTokenAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return token;
    }

    /// <summary>Consumes the token atomically: of two requests racing with the same token, one is accepted.</summary>
    public async Task<SetupLinkRedemption> RedeemAsync(string? token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await IsActiveAsync(db, cancellationToken))
        {
            return new(SetupLinkOutcome.SetupModeOver);
        }
        if (string.IsNullOrWhiteSpace(token) || token.Length > 128)
        {
            return new(SetupLinkOutcome.Unknown);
        }
        var hash = SecretHash.Sha256Hex(token.Trim());
        var now = clock.GetUtcNow();
        var issuedAfter = now - linkLifetime;
        var consumed = await db.SetupTokens
            .Where(t => t.TokenHash == hash && t.UsedAt == null && t.IssuedAt > issuedAfter)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        var stored = await db.SetupTokens.AsNoTracking().Where(t => t.TokenHash == hash)
            .Select(t => new { t.Id, Used = t.UsedAt != null }).SingleOrDefaultAsync(cancellationToken);
        return (consumed, stored) switch
        {
            (1, { } opened) => new(SetupLinkOutcome.Accepted, opened.Id),
            (_, { Used: true }) => new(SetupLinkOutcome.AlreadyUsed),
            (_, not null) => new(SetupLinkOutcome.Expired),
            _ => new(SetupLinkOutcome.Unknown),
        };
    }

    /// <summary>
    /// Called when the holder of a valid setup session has signed in as <paramref name="userId"/>: ends Setup Mode and
    /// makes that person an administrator. Of racing sign-ins exactly one ends it, because each condition is checked
    /// in the statement that changes it, under a lock every instance sharing the database takes. Ending Setup Mode deletes every setup link, which ends every setup session.
    /// </summary>
    /// <param name="setupSession">The setup session that signed in, for the audit log.</param>
    public async Task<SetupModeEnd> EndWithAdministratorAsync(Guid userId, Actor? setupSession = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Two instances' sign-ins would each see "no administrator yet" in their own transaction without it.
        await db.LockForTransactionAsync(DatabaseLock.Administrators, cancellationToken);
        // The sign-in checked the setup session before it got here; the setup-mode command (which takes the same lock)
        // may have ended it since, and then it must not make anyone administrator.
        var now = clock.GetUtcNow();
        if (setupSession?.SessionId is { } setupSessionId && !await db.Sessions.AnyAsync(s => s.Id == setupSessionId && s.Kind == SessionKind.Setup
                && s.SetupTokenId != null && s.EndedAt == null && s.ExpiresAt > now, cancellationToken))
        {
            return new SetupModeEnd(false, false);
        }
        var wasAdministrator = await db.Users.AnyAsync(u => u.Id == userId && u.IsAdministrator, cancellationToken);
        bool ended;
        var afterRecovery = await db.SetupStates.Where(s => s.RecoveryRequestedAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RecoveryRequestedAt, (DateTimeOffset?)null), cancellationToken) == 1;
        if (afterRecovery)
        {
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdministrator, true), cancellationToken);
            ended = true;
        }
        else
        {
            ended = await db.Users
                .Where(u => u.Id == userId && !db.Users.Any(a => a.IsAdministrator))
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdministrator, true), cancellationToken) == 1;
        }
        if (ended)
        {
            // Written before the links go, while the setup session still reads as one.
            var details = wasAdministrator
                ? "An administrator signed in with the setup session, which ended Setup Mode."
                : "A person signed in with the setup session and became administrator, which ended Setup Mode.";
            if (setupSession is null)
            {
                await audit.AddSystemAsync(db, AuditKind.SetupModeEnded, details, subjectUserId: userId, cancellationToken: cancellationToken);
            }
            else
            {
                await audit.AddAsync(db, setupSession, AuditKind.SetupModeEnded, details: details, subjectUserId: userId, cancellationToken: cancellationToken);
            }
            await db.SaveChangesAsync(cancellationToken);
            await db.SetupTokens.ExecuteDeleteAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new SetupModeEnd(ended, ended && !wasAdministrator, afterRecovery);
    }

    private async Task<string> AddTokenAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var token = SecretHash.NewRandomToken(16);
        db.SetupTokens.Add(new SetupToken { TokenHash = SecretHash.Sha256Hex(token), IssuedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }
}
