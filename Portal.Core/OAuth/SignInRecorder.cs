using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Integrations;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Persistence;

namespace Portal.Core.OAuth;

/// <summary>Records every completed sign-in attempt per integration; a success also marks the integration Verified.</summary>
public sealed class SignInRecorder(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, IEnumerable<ISignInOutcomeListener> listeners)
{
    public async Task RecordAsync(Guid integrationId, SignInOutcome outcome, CancellationToken cancellationToken)
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
}
