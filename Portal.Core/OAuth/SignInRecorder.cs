using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Persistence;

namespace Portal.Core.OAuth;

/// <summary>
/// Records every completed sign-in attempt per integration, with its audit entry in the same save; a success also
/// marks the integration Verified.
/// </summary>
public sealed class SignInRecorder(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, IEnumerable<ISignInOutcomeListener> listeners, AuditLog audit)
{
    /// <param name="browser">The session the browser held when it came back (the administrator, for a Verify) and its address.</param>
    public async Task RecordAsync(Guid integrationId, SignInOutcome outcome, Actor browser, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.SignInEvents.Add(new SignInEvent
        {
            IntegrationId = integrationId,
            OccurredAt = now,
            Succeeded = outcome.Succeeded,
            FailedStep = outcome.FailedStep,
            FailureReason = outcome.AdministratorMessage,
            ErrorCode = OAuthErrorCodes.Known(outcome.ErrorCode),
        });
        await AddAuditEntryAsync(db, integrationId, outcome, browser, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (outcome.Succeeded)
        {
            await db.Integrations.Where(i => i.Id == integrationId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Verification, IntegrationVerification.Verified).SetProperty(i => i.VerifiedAt, now), cancellationToken);
        }
        foreach (var listener in listeners)
        {
            await listener.SignInRecordedAsync(integrationId, cancellationToken);
        }
    }

    private Task AddAuditEntryAsync(PortalDbContext db, Guid integrationId, SignInOutcome outcome, Actor browser, CancellationToken cancellationToken)
    {
        var verify = outcome.Purpose == AuthorizationPurpose.Verify;
        if (!outcome.Succeeded)
        {
            return audit.AddAsync(db, browser, verify ? AuditKind.IntegrationVerificationFailed : AuditKind.SignInFailed, integrationId,
                $"Failed at the {outcome.FailedStep} step: {outcome.AdministratorMessage}", cancellationToken: cancellationToken);
        }
        var identity = outcome.Identity is { } user ? $" as {outcome.ServerName} user {user.Name}" : "";
        if (verify)
        {
            return audit.AddAsync(db, browser, AuditKind.IntegrationVerified, integrationId, $"Verify signed in{identity}.", cancellationToken: cancellationToken);
        }
        // The person who just signed in did it, whatever session the browser held before.
        var person = outcome.User is { SessionId: var session } && session != Guid.Empty ? browser with { SessionId = session } : browser;
        return audit.AddAsync(db, person, AuditKind.SignInSucceeded, integrationId,
            $"Signed in{identity}{(outcome.User?.EndedSetupMode == true ? "; this ended Setup Mode" : "")}.", cancellationToken: cancellationToken);
    }
}
