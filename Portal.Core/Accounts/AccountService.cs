using Portal.Core.Platforms;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.Accounts;

/// <summary>Tokens the server issued, with their expiry.</summary>
/// <param name="OAuth1TokenSecret">OAuth 1 access tokens come with a secret that signs every request.</param>
public sealed record TokenSet(string AccessToken, string? RefreshToken, DateTimeOffset AccessTokenExpiresAt, string? OAuth1TokenSecret = null)
{
    /// <summary>Never prints the tokens.</summary>
    public override string ToString() => $"TokenSet {{ AccessTokenExpiresAt = {AccessTokenExpiresAt:u} }}";
}

/// <summary>A person as the account and people pages show them.</summary>
/// <param name="IsOrphaned">Every integration the person signed in through was deleted: the account can no longer sign in.</param>
public sealed record AccountSummary(
    Guid UserId, string DisplayName, string? Email, string? AvatarUrl, bool IsAdministrator, DateTimeOffset? LastSignInAt,
    string? LastIntegrationName, IReadOnlyList<string> Usernames, bool IsOrphaned = false);

/// <summary>Portal accounts: created on a first sign-in, updated on later ones, keyed on the platform's numeric user id.</summary>
public sealed class AccountService(IDbContextFactory<PortalDbContext> dbFactory, SecretProtector protector, TimeProvider clock)
{
    /// <summary>Creates or updates the account for <paramref name="identity"/> and stores its tokens encrypted.</summary>
    public async Task<SignedInUser> RecordSignInAsync(Guid integrationId, ExternalUser identity, TokenSet tokens, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await AddSignInAsync(db, integrationId, identity, tokens, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }

    /// <summary>Like <see cref="RecordSignInAsync"/>, saved by <paramref name="db"/>'s next <c>SaveChanges</c> with the rest of the sign-in.</summary>
    internal async Task<SignedInUser> AddSignInAsync(PortalDbContext db, Guid integrationId, ExternalUser identity, TokenSet tokens, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var external = await IdentityWithUser.RunAsync(db, integrationId, identity.Id, cancellationToken);
        if (external is null)
        {
            external = new ExternalIdentity
            {
                IntegrationId = integrationId,
                ExternalUserId = identity.Id,
                CreatedAt = now,
                User = new PortalUser { CreatedAt = now },
            };
            db.ExternalIdentities.Add(external);
        }
        var user = external.User!;
        user.DisplayName = identity.DisplayName;
        user.Email = identity.Email;
        user.AvatarUrl = identity.AvatarUrl;
        user.LastSignInAt = now;
        user.LastSignInIntegrationId = integrationId;
        external.Username = identity.Name;
        external.Slug = identity.Slug;
        external.LastSignInAt = now;
        StoreTokens(external, tokens);
        return new SignedInUser(user.Id, user.DisplayName, user.IsAdministrator, BecameFirstAdministrator: false);
    }

    private static readonly PerModelQuery<Guid, long, ExternalIdentity?> IdentityWithUser = new((db, integrationId, externalUserId, _) =>
        db.ExternalIdentities.Include(e => e.User).SingleOrDefault(e => e.IntegrationId == integrationId && e.ExternalUserId == externalUserId));

    /// <summary>Keeps the newest tokens; servers rotate both on every refresh, so the old refresh token is dead.</summary>
    public async Task UpdateTokensAsync(Guid externalIdentityId, TokenSet tokens, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var external = await db.ExternalIdentities.SingleAsync(e => e.Id == externalIdentityId, cancellationToken);
        StoreTokens(external, tokens);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<AccountSummary?> FindAsync(Guid userId, CancellationToken cancellationToken = default) =>
        (await ListAsync(userId, cancellationToken)).SingleOrDefault();

    public async Task<IReadOnlyList<AccountSummary>> ListAsync(CancellationToken cancellationToken = default) =>
        await ListAsync(null, cancellationToken);

    private async Task<IReadOnlyList<AccountSummary>> ListAsync(Guid? onlyUserId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var users = await db.Users.AsNoTracking()
            .Where(u => onlyUserId == null || u.Id == onlyUserId)
            .OrderBy(u => u.DisplayName)
            .ToListAsync(cancellationToken);
        var ids = users.Select(u => u.Id).ToList();
        var identities = await db.ExternalIdentities.AsNoTracking().Where(e => ids.Contains(e.UserId))
            .Select(e => new { e.UserId, e.Username }).ToListAsync(cancellationToken);
        var integrationNames = await db.Integrations.AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.Name, cancellationToken);
        return users.Select(u => new AccountSummary(
            u.Id, u.DisplayName, u.Email, u.AvatarUrl, u.IsAdministrator, u.LastSignInAt,
            u.LastSignInIntegrationId is { } id && integrationNames.TryGetValue(id, out var name) ? name : null,
            identities.Where(i => i.UserId == u.Id).Select(i => i.Username).Distinct().ToList(),
            IsOrphaned: !identities.Any(i => i.UserId == u.Id))).ToList();
    }

    private void StoreTokens(ExternalIdentity external, TokenSet tokens)
    {
        external.ProtectedAccessToken = protector.Protect(SecretPurpose.AccessToken, tokens.AccessToken);
        external.AccessTokenExpiresAt = tokens.AccessTokenExpiresAt;
        if (tokens.RefreshToken is { Length: > 0 } refresh)
        {
            external.ProtectedRefreshToken = protector.Protect(SecretPurpose.RefreshToken, refresh);
        }
        external.ProtectedOAuth1TokenSecret = tokens.OAuth1TokenSecret is { Length: > 0 } secret
            ? protector.Protect(SecretPurpose.OAuth1TokenSecret, secret)
            : null;
    }
}
