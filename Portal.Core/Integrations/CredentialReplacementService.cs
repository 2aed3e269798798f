using Portal.Core.Platforms;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.Integrations;

/// <summary>An integration's credentials as the replacement page shows them: public values only, never a secret.</summary>
/// <param name="PendingSince">When the new credentials were stored; null when none are pending.</param>
/// <param name="PendingPublicKeyPem">OAuth 1: the new public key to paste into the server.</param>
/// <param name="LastFailure">Why the latest verification of the pending credentials failed, if it did.</param>
public sealed record CredentialReplacementView(
    Guid IntegrationId, string Name, string BaseUrl, OAuthVersion OAuthVersion, bool Enabled, string? ConsumerKey,
    DateTimeOffset? PendingSince, string? PendingPublicKeyPem, string? LastFailure, DateTimeOffset? LastFailedAt, string Platform = "")
{
    public CredentialKind Kind => OAuthVersion == OAuthVersion.OAuth2 ? CredentialKind.ClientSecret : CredentialKind.KeyPair;

    public bool HasPending => PendingSince is not null;
}

/// <summary>The outcome of storing new credentials as pending: stored, or the message that says why not.</summary>
/// <param name="Hint">A doubt that does not block, e.g. a secret that is not 64 hexadecimal characters.</param>
public sealed record ReplacementStart(bool Started, string? Error, string? Hint = null);

/// <summary>What discarding pending credentials found.</summary>
public enum DiscardOutcome
{
    Discarded,
    /// <summary>None were pending: a verification swapped them in, or another administrator discarded them.</summary>
    NothingPending,
    IntegrationGone,
}

/// <summary>
/// Replaces an integration's credentials by verify-then-swap: new credentials are stored as pending
/// (<see cref="CredentialReplacement"/>), a verification's sign-in round trip runs with them
/// (<see cref="OAuth.SignInService.PrepareReplacementVerificationAsync"/>), and only its success swaps them in; sign-ins
/// use the current credentials until then. Every change is an administrator's action.
/// </summary>
public sealed class CredentialReplacementService(
    IDbContextFactory<PortalDbContext> dbFactory, SecretProtector protector, TimeProvider clock, AdminActions actions, AuditLog audit, PlatformCatalog platforms)
{
    /// <summary>The integration and its pending replacement, if any; null when the integration does not exist.</summary>
    public async Task<CredentialReplacementView?> FindAsync(Guid integrationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var integration = await db.Integrations.AsNoTracking().SingleOrDefaultAsync(i => i.Id == integrationId, cancellationToken);
        if (integration is null)
        {
            return null;
        }
        var pending = await db.CredentialReplacements.AsNoTracking().SingleOrDefaultAsync(r => r.IntegrationId == integrationId, cancellationToken);
        return new CredentialReplacementView(integration.Id, integration.Name, integration.BaseUrl, integration.OAuthVersion, integration.Enabled,
            integration.ConsumerKey, pending?.StartedAt, pending?.PublicKeyPem, pending?.LastFailure, pending?.LastFailedAt, integration.Platform);
    }

    /// <summary>
    /// OAuth 2: stores <paramref name="newClientSecret"/> as pending (replacing one pending already). The integration
    /// keeps signing in with its current secret until a verification with the new one succeeds.
    /// </summary>
    public Task<AdminResult<ReplacementStart>> StartClientSecretAsync(Actor actor, Guid integrationId, string? newClientSecret, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, async ct =>
        {
            var secret = IntegrationValidator.Clean(newClientSecret);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var integration = await db.Integrations.AsNoTracking().SingleOrDefaultAsync(i => i.Id == integrationId, ct);
            if (integration is null)
            {
                return new ReplacementStart(false, Gone);
            }
            if (integration.OAuthVersion != OAuthVersion.OAuth2)
            {
                return new ReplacementStart(false, "This integration uses OAuth 1, which has no Client Secret: generate a new key pair instead.");
            }
            var platform = platforms.Find(integration.Platform);
            var words = platforms.WordingOf(integration.Platform);
            var label = words.ClientSecretLabel;
            if (CheckSecret(secret, label, words) is { } error)
            {
                return new ReplacementStart(false, error);
            }
            if (protector.TryUnprotect(SecretPurpose.ClientSecret, integration.ProtectedClientSecret) == secret)
            {
                return new ReplacementStart(false,
                    $"This is the {label} the integration uses already, so there is nothing to replace. Paste the new {label} {words.ServerName} shows for the {words.ApplicationNoun}.");
            }
            await StoreAsync(db, actor, new CredentialReplacement
            {
                IntegrationId = integrationId,
                ProtectedClientSecret = protector.Protect(SecretPurpose.ClientSecret, secret),
                StartedAt = clock.GetUtcNow(),
            }, ct);
            return new ReplacementStart(true, null, platform?.CheckClientSecret(secret) is { } doubt ? $"{doubt} Do that before you verify it." : null);
        }, cancellationToken);

    /// <summary>
    /// OAuth 1: generates a new RSA key pair and stores it as pending (replacing one pending already); its public key is
    /// then shown to paste into the server. The Consumer Key stays the same.
    /// </summary>
    public Task<AdminResult<ReplacementStart>> StartKeyPairAsync(Actor actor, Guid integrationId, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, async ct =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var integration = await db.Integrations.AsNoTracking().SingleOrDefaultAsync(i => i.Id == integrationId, ct);
            if (integration is null)
            {
                return new ReplacementStart(false, Gone);
            }
            if (integration.OAuthVersion != OAuthVersion.OAuth1 || platforms.Find(integration.Platform) is not IOAuth1Platform platform)
            {
                return new ReplacementStart(false, "This integration uses OAuth 2, which has no key pair: paste a new Client Secret instead.");
            }
            var pair = platform.NewOAuth1Keys();
            await StoreAsync(db, actor, new CredentialReplacement
            {
                IntegrationId = integrationId,
                PublicKeyPem = pair.PublicKeyPem,
                ProtectedPrivateKey = protector.Protect(SecretPurpose.PrivateKey, pair.PrivateKeyPem),
                StartedAt = clock.GetUtcNow(),
            }, ct);
            return new ReplacementStart(true, null);
        }, cancellationToken);

    /// <summary>Deletes the pending credentials; the current ones stay.</summary>
    public Task<AdminResult<DiscardOutcome>> DiscardAsync(Actor actor, Guid integrationId, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, async ct =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var pending = await db.CredentialReplacements.AsNoTracking().SingleOrDefaultAsync(r => r.IntegrationId == integrationId, ct);
            if (pending is null || await db.CredentialReplacements.Where(r => r.Id == pending.Id).ExecuteDeleteAsync(ct) == 0)
            {
                return await db.Integrations.AnyAsync(i => i.Id == integrationId, ct) ? DiscardOutcome.NothingPending : DiscardOutcome.IntegrationGone;
            }
            await audit.AddAsync(db, actor, AuditKind.SecretReplacementDiscarded, integrationId, $"The pending {Describe(pending.Kind)} was discarded; the current one stays.", cancellationToken: ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return DiscardOutcome.Discarded;
        }, cancellationToken);

    /// <summary>The pending credentials of <paramref name="integrationId"/>, for a verification to test.</summary>
    internal async Task<CredentialReplacement?> FindPendingAsync(Guid integrationId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.CredentialReplacements.AsNoTracking().SingleOrDefaultAsync(r => r.IntegrationId == integrationId, cancellationToken);
    }

    /// <summary>The replacement <paramref name="replacementId"/> if it is still the pending one of its integration.</summary>
    internal async Task<CredentialReplacement?> FindByIdAsync(Guid replacementId, Guid integrationId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.CredentialReplacements.AsNoTracking()
            .SingleOrDefaultAsync(r => r.Id == replacementId && r.IntegrationId == integrationId, cancellationToken);
    }

    /// <summary>Whether a verified replacement was swapped in; if not, the refusal when its verifier is no longer an administrator.</summary>
    internal sealed record SwapIn(bool Swapped, AccessRefusal? Refusal = null);

    /// <summary>
    /// A verification with <paramref name="replacement"/> succeeded: its credentials become the integration's and the
    /// old ones are discarded, in one transaction, if whoever started it is still an administrator at that moment.
    /// Nothing changes when it was discarded or replaced meanwhile.
    /// </summary>
    internal async Task<SwapIn> SwapInAsync(CredentialReplacement replacement, Actor verifier, string verifiedAs, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The swap is an administrator's change: authorized here, under the lock a revoke takes too, not when the browser left.
        if (await actions.LockAdministratorsAndCheckAsync(db, verifier, cancellationToken) is { } refusal)
        {
            return new SwapIn(false, refusal);
        }
        if (await db.CredentialReplacements.Where(r => r.Id == replacement.Id).ExecuteDeleteAsync(cancellationToken) != 1)
        {
            return new SwapIn(false);
        }
        var updated = replacement.Kind == CredentialKind.ClientSecret
            ? await db.Integrations.Where(i => i.Id == replacement.IntegrationId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.ProtectedClientSecret, replacement.ProtectedClientSecret!), cancellationToken)
            : await db.Integrations.Where(i => i.Id == replacement.IntegrationId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.PublicKeyPem, replacement.PublicKeyPem)
                    .SetProperty(i => i.ProtectedPrivateKey, replacement.ProtectedPrivateKey), cancellationToken);
        if (updated != 1)
        {
            return new SwapIn(false);
        }
        await audit.AddAsync(db, verifier, AuditKind.SecretReplacementCompleted, replacement.IntegrationId,
            $"The new {Describe(replacement.Kind)} worked ({verifiedAs}) and replaced the old one, which was discarded.", cancellationToken: cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SwapIn(true);
    }

    /// <summary>Keeps why a verification of <paramref name="replacementId"/> failed, for the page; the current credentials stay.</summary>
    internal async Task RecordFailureAsync(CredentialReplacement replacement, string failure, Actor verifier, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var text = failure.Length > 4000 ? failure[..4000] : failure;
        if (await db.CredentialReplacements.Where(r => r.Id == replacement.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LastFailure, text).SetProperty(r => r.LastFailedAt, now), cancellationToken) != 1)
        {
            return; // discarded or replaced meanwhile: the failure concerns credentials nobody holds any more
        }
        await audit.AddAsync(db, verifier, AuditKind.SecretReplacementFailed, replacement.IntegrationId,
            $"The new {Describe(replacement.Kind)} did not work; the current one stays. {text}", cancellationToken: cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static string Describe(CredentialKind kind) => kind == CredentialKind.ClientSecret ? "Client Secret" : "key pair";

    private const string Gone = "This integration no longer exists. Open the Integrations page to see the ones there are.";

    private async Task StoreAsync(PortalDbContext db, Actor actor, CredentialReplacement replacement, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One pending replacement per integration: a new one replaces the old, whose verifications in flight then swap nothing.
        var replaced = await db.CredentialReplacements.Where(r => r.IntegrationId == replacement.IntegrationId).ExecuteDeleteAsync(cancellationToken) > 0;
        db.CredentialReplacements.Add(replacement);
        await audit.AddAsync(db, actor, AuditKind.SecretReplacementStarted, replacement.IntegrationId,
            $"A new {Describe(replacement.Kind)} is pending until a verification with it succeeds{(replaced ? "; it replaced one pending before" : "")}.",
            cancellationToken: cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The wizard's rules for a Client Secret (<see cref="IntegrationValidator"/>), for the one value this page takes.</summary>
    /// <param name="label">The secret as the server names it, e.g. "Client Secret" or "Secret".</param>
    private static string? CheckSecret(string secret, string label, PlatformWording words) => secret switch
    {
        "" => $"Paste the new {label} {words.ServerName} shows for the {words.ApplicationNoun}.",
        _ when secret.Any(char.IsWhiteSpace) => $"The {label} contains spaces or line breaks: copy it again from {words.ServerName}, without anything around it.",
        { Length: > 512 } => $"That {label} is too long: copy it again from {words.ServerName}.",
        _ => null,
    };
}
