using Microsoft.EntityFrameworkCore;
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
    /// <summary>An administrator exists, so the portal no longer needs a setup link.</summary>
    SetupModeOver,
}

/// <summary>
/// Setup Mode: the portal is in it while no administrator exists. A one-time link (random token, stored hashed)
/// grants the admin pages to whoever opens it first; each start replaces the previous link.
/// </summary>
public sealed class SetupModeService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public async Task<bool> IsActiveAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return !await db.Users.AnyAsync(u => u.IsAdministrator, cancellationToken);
    }

    /// <summary>Issues a new one-time token and invalidates every earlier one. Returns null when Setup Mode is over.</summary>
    public async Task<string?> IssueTokenAsync(CancellationToken cancellationToken = default)
    {
        if (!await IsActiveAsync(cancellationToken))
        {
            return null;
        }
        var token = SecretHash.NewRandomToken(16);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.SetupTokens.ExecuteDeleteAsync(cancellationToken);
        db.SetupTokens.Add(new SetupToken { TokenHash = SecretHash.Sha256Hex(token), IssuedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }

    /// <summary>Consumes the token atomically: of two requests racing with the same token, one is accepted.</summary>
    public async Task<SetupLinkOutcome> RedeemAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!await IsActiveAsync(cancellationToken))
        {
            return SetupLinkOutcome.SetupModeOver;
        }
        if (string.IsNullOrWhiteSpace(token) || token.Length > 128)
        {
            return SetupLinkOutcome.Unknown;
        }
        var hash = SecretHash.Sha256Hex(token.Trim());
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var consumed = await db.SetupTokens
            .Where(t => t.TokenHash == hash && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        if (consumed == 1)
        {
            return SetupLinkOutcome.Accepted;
        }
        return await db.SetupTokens.AnyAsync(t => t.TokenHash == hash, cancellationToken)
            ? SetupLinkOutcome.AlreadyUsed
            : SetupLinkOutcome.Unknown;
    }
}
