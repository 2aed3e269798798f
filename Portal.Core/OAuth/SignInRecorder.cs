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
/// marks the integration Verified (a sign-in only when it is not yet; a Verify every time, which dates it).
/// </summary>
public sealed class SignInRecorder(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, IEnumerable<ISignInOutcomeListener> listeners, AuditLog audit)
{
    /// <param name="browser">The session the browser held when it came back (the administrator, for a Verify) and its address.</param>
    public async Task RecordAsync(Guid integrationId, SignInOutcome outcome, Actor browser, CancellationToken cancellationToken)
    {
        SignInEvent recorded;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            recorded = await AddAsync(db, integrationId, outcome, browser, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }
        var verified = await MarkVerifiedAsync(integrationId, outcome, cancellationToken);
        await NotifyAsync(recorded, verified, cancellationToken);
    }

    /// <summary>
    /// Records a successful sign-in in the same save as its account and session (<paramref name="db"/>'s next
    /// <c>SaveChanges</c>, by the caller), which then calls <see cref="SavedAsync"/>.
    /// </summary>
    /// <param name="integration">Attached unchanged, so the audit entry reads its name without a query.</param>
    /// <returns>The sign-in event, for <see cref="SavedAsync"/> once saved.</returns>
    internal Task<SignInEvent> AddAsync(PortalDbContext db, Integration integration, SignInOutcome outcome, Actor browser, CancellationToken cancellationToken)
    {
        db.Integrations.Attach(integration);
        return AddAsync(db, integration.Id, outcome, browser, cancellationToken);
    }

    /// <summary>What follows the save of <see cref="AddAsync(PortalDbContext, Integration, SignInOutcome, Actor, CancellationToken)"/>.</summary>
    internal async Task SavedAsync(Integration integration, SignInOutcome outcome, SignInEvent recorded, CancellationToken cancellationToken)
    {
        var verified = integration.Verification != IntegrationVerification.Verified && await MarkVerifiedAsync(integration.Id, outcome, cancellationToken);
        await NotifyAsync(recorded, verified, cancellationToken);
    }

    private async Task<SignInEvent> AddAsync(PortalDbContext db, Guid integrationId, SignInOutcome outcome, Actor browser, CancellationToken cancellationToken)
    {
        var recorded = db.SignInEvents.Add(new SignInEvent
        {
            IntegrationId = integrationId,
            OccurredAt = clock.GetUtcNow(),
            Succeeded = outcome.Succeeded,
            FailedStep = outcome.FailedStep,
            FailureReason = ColumnText.FitOrNull(outcome.AdministratorMessage, SignInEvent.MaxFailureReasonLength),
            ErrorCode = OAuthErrorCodes.Known(outcome.ErrorCode),
        }).Entity;
        await AddAuditEntryAsync(db, integrationId, outcome, browser, cancellationToken);
        return recorded;
    }

    /// <remarks>
    /// An update of its own, not part of the save: it matches no row when the integration was deleted meanwhile, where a
    /// tracked change would fail the whole save.
    /// </remarks>
    /// <returns>Whether the integration was marked.</returns>
    private async Task<bool> MarkVerifiedAsync(Guid integrationId, SignInOutcome outcome, CancellationToken cancellationToken)
    {
        if (!outcome.Succeeded)
        {
            return false;
        }
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Integrations.Where(i => i.Id == integrationId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Verification, IntegrationVerification.Verified).SetProperty(i => i.VerifiedAt, now), cancellationToken) > 0;
    }

    private async Task NotifyAsync(SignInEvent recorded, bool integrationChanged, CancellationToken cancellationToken)
    {
        foreach (var listener in listeners)
        {
            await listener.SignInRecordedAsync(recorded, integrationChanged, cancellationToken);
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
