using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.OAuth;

/// <summary>A pending authorization that passed every check and is now consumed, or why it did not.</summary>
/// <param name="Correlation">The browser's correlation cookie value that belongs to this sign-in, if it holds it: only
/// then does a refusal say something about the integration, or belong on the page that watches a verification.</param>
public sealed record PendingCheck(PendingAuthorization? Pending, Integration? Integration, SignInOutcome? Failure, string? Correlation = null)
{
    public bool FromThisBrowser => Correlation is not null;
}

/// <summary>
/// Sign-ins on their way through the server. Each is stored under a hash of the value the server echoes back (OAuth 2:
/// the state; OAuth 1: the request token), bound to the browser by a correlation cookie, valid for ten minutes and
/// consumed exactly once.
/// </summary>
public sealed class PendingAuthorizationStore(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>Stores the pending authorization; returns the correlation value for the browser's cookie.</summary>
    public async Task<(PendingAuthorization Pending, string Correlation)> CreateAsync(
        Guid integrationId, string echoedValue, AuthorizationPurpose purpose, string returnUrl, string protectedSecret, CancellationToken cancellationToken,
        Guid? credentialReplacementId = null)
    {
        var now = clock.GetUtcNow();
        var correlation = SecretHash.NewRandomToken(32);
        var pending = new PendingAuthorization
        {
            StateHash = KeyOf(integrationId, echoedValue),
            CorrelationHash = SecretHash.Sha256Hex(correlation),
            IntegrationId = integrationId,
            Purpose = purpose,
            CredentialReplacementId = credentialReplacementId,
            ProtectedSecret = protectedSecret,
            // The endpoint sanitised it already; checked again so that no caller can store a redirect elsewhere.
            ReturnUrl = LocalReturnUrl.Sanitize(returnUrl),
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Expired ones are removed by the retention sweep, not here: a sign-in's start is one insert.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await DirectWrites.InsertAsync(db, pending, cancellationToken);
                return (pending, correlation);
            }
            catch (Exception e) when (DatabaseFailure.IsUniqueViolation(e) && attempt < 3)
            {
                // OAuth 1's request token is the server's choice, and a server may issue one it issued before (an
                // emulator restarted, one that counts from one again). That server now ties it to this sign-in, so the
                // earlier sign-in under it through this integration can no longer complete: this one takes its place.
                await db.PendingAuthorizations.Where(p => p.StateHash == pending.StateHash).ExecuteDeleteAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// The key a sign-in is stored under: a hash of the value the server echoes back, per integration, since two
    /// servers may well echo the same value (OAuth 1 servers choose their request tokens).
    /// </summary>
    public static string KeyOf(Guid integrationId, string echoedValue) => SecretHash.Sha256Hex($"{integrationId:N}:{echoedValue}");

    /// <summary>Checks the echoed value against this browser and consumes it; of racing callbacks exactly one passes.</summary>
    public async Task<PendingCheck> ConsumeAsync(Guid integrationId, string? echoedValue, IReadOnlyCollection<string> correlations, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(echoedValue))
        {
            return Fail(SignInErrorKind.StateMissing);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hash = KeyOf(integrationId, echoedValue);
        var found = await PendingWithIntegration.RunAsync(db, hash, integrationId, cancellationToken);
        if (found is null)
        {
            return Fail(SignInErrorKind.StateUnknown);
        }
        var (pending, integration) = (found.Pending, found.Integration);
        var correlation = correlations.FirstOrDefault(c => SecretHash.Sha256Hex(c) == pending.CorrelationHash);
        // State failures concern only this browser's sign-in, so administrators read the same words as the user.
        PendingCheck Refuse(SignInErrorKind kind) =>
            new(pending, integration, SignInOutcome.Failure(kind, SignInStep.State, SignInFailureMessages.PublicMessage(kind), pending, integration.Name), correlation);

        // Both checked before the correlation cookie, which the browser no longer sends then: a successful sign-in
        // deletes it, so reopening its callback (Back, reload) would otherwise be blamed on "another browser"; and it
        // expires with the sign-in, so a late return would be too.
        if (pending.ConsumedAt is not null)
        {
            return Refuse(SignInErrorKind.StateReplayed);
        }
        var now = clock.GetUtcNow();
        if (pending.ExpiresAt <= now)
        {
            return Refuse(SignInErrorKind.StateExpired);
        }
        if (correlation is null)
        {
            return Refuse(SignInErrorKind.StateFromAnotherBrowser);
        }
        // Disabled after the browser left: an administrator's disable stops sign-ins already on their way too.
        if (!integration.Enabled && pending.Purpose == AuthorizationPurpose.SignIn)
        {
            return Refuse(SignInErrorKind.IntegrationUnavailable);
        }
        // Hand-written rather than ExecuteUpdate, which translates its LINQ on every call and costs three times as much here.
        var consumed = await db.Database.ExecuteSqlAsync(
            $"""UPDATE "PendingAuthorizations" SET "ConsumedAt" = {DirectWrites.ToStored<PendingAuthorization>(db, nameof(PendingAuthorization.ConsumedAt), now)} WHERE "Id" = {pending.Id} AND "ConsumedAt" IS NULL""",
            cancellationToken);
        return consumed == 1 ? new PendingCheck(pending, integration, null, correlation) : Refuse(SignInErrorKind.StateReplayed);
    }

    private sealed record Found(PendingAuthorization Pending, Integration Integration);

    private static readonly PerModelQuery<string, Guid, Found?> PendingWithIntegration = new((db, hash, integrationId, _) => (
            from p in db.PendingAuthorizations.AsNoTracking()
            where p.StateHash == hash && p.IntegrationId == integrationId
            join i in db.Integrations.AsNoTracking() on p.IntegrationId equals i.Id
            select new Found(p, i))
        .SingleOrDefault());

    private static PendingCheck Fail(SignInErrorKind kind) =>
        new(null, null, SignInOutcome.Failure(kind, SignInStep.State, SignInFailureMessages.PublicMessage(kind)));
}
