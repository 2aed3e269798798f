using Portal.Core.Platforms;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Persistence;
using Portal.Core.Security;
using Portal.Core.Sessions;
using Portal.Core.Setup;

namespace Portal.Core.OAuth;

/// <summary>
/// Signing in through an integration, whatever its OAuth version, in two phases: <see cref="PrepareAsync"/> stores a
/// pending authorization and returns where to send the browser; <see cref="CompleteAsync"/> checks and consumes it,
/// lets the protocol exchange its tokens, identifies the user, updates the account and records the outcome.
/// Expected failures are result values with an error kind and the step that failed, never exceptions.
/// </summary>
public sealed class SignInService(
    IDbContextFactory<PortalDbContext> dbFactory,
    PendingAuthorizationStore pendings,
    IEnumerable<ISignInProtocol> protocols,
    PlatformCatalog platforms,
    AccountService accounts,
    SignInRecorder recorder,
    SessionService sessions,
    SetupModeService setupMode,
    AdministratorGate gate,
    VerificationNotifier verifications,
    CredentialReplacementService replacements)
{
    /// <summary>Starts a sign-in; <paramref name="actor"/> matters for a verification, which only administrators may start.</summary>
    public Task<PrepareResult> PrepareAsync(Guid integrationId, string returnUrl, AuthorizationPurpose purpose, Actor actor, CancellationToken cancellationToken = default) =>
        PrepareAsync(integrationId, returnUrl, purpose, actor, withPendingCredentials: false, cancellationToken);

    private async Task<PrepareResult> PrepareAsync(Guid integrationId, string returnUrl, AuthorizationPurpose purpose, Actor actor, bool withPendingCredentials, CancellationToken cancellationToken)
    {
        if (purpose == AuthorizationPurpose.Verify && await gate.CheckAsync(actor, cancellationToken) is { } refusal)
        {
            return new PrepareResult(null, null, refusal);
        }
        Integration? integration;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            integration = await IntegrationById.RunAsync(db, integrationId, cancellationToken);
        }
        if (integration is null || (!integration.Enabled && purpose == AuthorizationPurpose.SignIn))
        {
            return new PrepareResult(null, SignInOutcome.Failure(SignInErrorKind.IntegrationUnavailable, SignInStep.State,
                SignInFailureMessages.PublicMessage(SignInErrorKind.IntegrationUnavailable)));
        }
        CredentialReplacement? replacement = null;
        if (withPendingCredentials)
        {
            replacement = await replacements.FindPendingAsync(integration.Id, cancellationToken);
            if (replacement is null)
            {
                return new PrepareResult(null, SignInOutcome.Failure(SignInErrorKind.IntegrationUnavailable, SignInStep.State,
                    CredentialReplacementMessages.NothingPending(integration), integrationName: integration.Name) with
                    { Purpose = purpose, IntegrationId = integration.Id, Replacement = integration.OAuthVersion == OAuthVersion.OAuth2 ? CredentialKind.ClientSecret : CredentialKind.KeyPair });
            }
            integration = replacement.ApplyTo(integration);
        }

        if (platforms.Find(integration.Platform) is not { } platform)
        {
            return new PrepareResult(null, SignInOutcome.Failure(SignInErrorKind.IntegrationMisconfigured, SignInStep.State,
                PlatformCatalog.Unknown(integration.Platform), integrationName: integration.Name) with { Purpose = purpose, IntegrationId = integration.Id });
        }
        SignInStart start;
        using (OutboundTrust.Use(integration.TrustedCaPem))
        {
            start = await ProtocolFor(integration).StartAsync(integration, platform, cancellationToken);
        }
        if (start.Failure is { } refused)
        {
            var failure = SignInOutcome.Failure(refused.ErrorKind!.Value, refused.FailedStep ?? SignInStep.Authorize, refused.Message!,
                integrationName: integration.Name, errorCode: refused.ErrorCode) with
                { Purpose = purpose, IntegrationId = integration.Id, Replacement = replacement?.Kind, ServerName = platform.Kind.Wording.ServerName };
            if (replacement is null)
            {
                await recorder.RecordAsync(integration.Id, failure, actor, cancellationToken);
            }
            else
            {
                // New credentials that fail say nothing about the current ones, so the status page does not hear of it.
                await replacements.RecordFailureAsync(replacement, VerificationMessages.FailedStep(failure), actor, cancellationToken);
            }
            return new PrepareResult(null, failure);
        }
        var created = await pendings.CreateAsync(integration.Id, start.CallbackKey!, purpose, returnUrl, start.ProtectedSecret!, cancellationToken, replacement?.Id);
        return new PrepareResult(new AuthorizationStart(start.AuthorizeUrl!, created.Correlation, created.Pending.ExpiresAt, created.Pending.Id), null);
    }

    private ISignInProtocol ProtocolFor(Integration integration) =>
        protocols.FirstOrDefault(p => p.Version == integration.OAuthVersion)
        ?? throw new InvalidOperationException($"No sign-in protocol is registered for {integration.OAuthVersion}.");

    /// <summary>
    /// Starts a verification (see <see cref="PrepareAsync"/>) for the page that watches it under <paramref name="watchId"/>
    /// (none: nobody watches): that page learns that the browser left for the server, or why it did not, and later how the
    /// callback went (<see cref="VerificationNotifier"/>).
    /// </summary>
    public Task<PrepareResult> PrepareVerificationAsync(Guid integrationId, string returnUrl, string? watchId, Actor actor, CancellationToken cancellationToken = default) =>
        PrepareVerificationAsync(integrationId, returnUrl, watchId, actor, withPendingCredentials: false, cancellationToken);

    /// <summary>
    /// Starts a verification like <see cref="PrepareVerificationAsync(Guid, string, string?, Actor, CancellationToken)"/>,
    /// but with the integration's pending new credentials (<see cref="CredentialReplacementService"/>): its success swaps
    /// them in, its failure leaves the current ones in place.
    /// </summary>
    public Task<PrepareResult> PrepareReplacementVerificationAsync(Guid integrationId, string returnUrl, string? watchId, Actor actor, CancellationToken cancellationToken = default) =>
        PrepareVerificationAsync(integrationId, returnUrl, watchId, actor, withPendingCredentials: true, cancellationToken);

    private async Task<PrepareResult> PrepareVerificationAsync(Guid integrationId, string returnUrl, string? watchId, Actor actor, bool withPendingCredentials, CancellationToken cancellationToken)
    {
        var prepared = await PrepareAsync(integrationId, returnUrl, AuthorizationPurpose.Verify, actor, withPendingCredentials, cancellationToken);
        if (prepared.Start is { } start)
        {
            verifications.Started(watchId, start.PendingId, integrationId, start.ExpiresAt);
        }
        else
        {
            verifications.FailedToStart(watchId, integrationId, VerificationMessages.NotStarted(prepared));
        }
        return prepared;
    }

    /// <param name="correlations">The correlation cookie values this browser holds (one per sign-in in flight).</param>
    /// <param name="browser">The session the browser holds already, if any. A sign-in replaces it; when it is an active
    /// setup session, the sign-in ends Setup Mode and makes this person an administrator.</param>
    public async Task<SignInOutcome> CompleteAsync(Guid integrationId, CallbackParameters callback, IReadOnlyCollection<string> correlations, Actor browser, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(callback.State ?? callback.OAuthToken) && OAuthErrorCodes.Known(callback.Error) is { } error)
        {
            return await ErrorWithoutStateAsync(integrationId, error, cancellationToken);
        }
        var check = await pendings.ConsumeAsync(integrationId, callback.State ?? callback.OAuthToken, correlations, cancellationToken);
        if (check.Failure is { } refused)
        {
            if (check.Integration is not null && platforms.Find(check.Integration.Platform) is { } known)
            {
                refused = refused with { ServerName = known.Kind.Wording.ServerName };
            }
            // A replay or a foreign browser says nothing about the integration's health, so it is not recorded; nor
            // may it overwrite what the watching page shows.
            if (check.Integration is not null && check.FromThisBrowser && refused.ErrorKind is not SignInErrorKind.StateReplayed)
            {
                await recorder.RecordAsync(check.Integration.Id, refused, browser, cancellationToken);
                verifications.Completed(check.Pending!.Id, refused);
            }
            return refused with { Correlation = check.Correlation };
        }
        var (pending, integration) = (check.Pending!, check.Integration!);
        try
        {
            var outcome = pending.CredentialReplacementId is { } replacementId
                ? await CompleteReplacementAsync(integration, pending, replacementId, callback, browser, cancellationToken)
                : await CompleteConsumedAsync(integration, pending, callback, browser, cancellationToken);
            return outcome with { Correlation = check.Correlation };
        }
        catch (Exception e)
        {
            // The page that started a verification would otherwise wait out its timeout and blame the redirect URL.
            verifications.Completed(pending.Id, SignInOutcome.Failure(SignInErrorKind.ServerUnavailable, SignInStep.Account,
                SignInMessages.NotFinished(e, cancellationToken.IsCancellationRequested), pending, integration.Name));
            throw;
        }
    }

    private async Task<SignInOutcome> CompleteConsumedAsync(Integration integration, PendingAuthorization pending, CallbackParameters callback,
        Actor browser, CancellationToken cancellationToken)
    {
        SignInOutcome outcome;
        TokenSet? tokens;
        // Token, identity and OAuth 1 calls trust what this integration trusts, and nothing another integration does.
        using (OutboundTrust.Use(integration.TrustedCaPem))
        {
            (outcome, tokens) = await ExchangeAndIdentifyAsync(integration, pending, callback, cancellationToken);
            outcome = SignInLikelyCauses.AddTo(integration, platforms.Find(integration.Platform), outcome);
        }
        try
        {
            if (outcome.Succeeded && pending.Purpose == AuthorizationPurpose.SignIn)
            {
                try
                {
                    outcome = await SignInAsync(integration, outcome, tokens!, browser, cancellationToken);
                }
                catch (DbUpdateException e) when (DatabaseFailure.IsUniqueViolation(e))
                {
                    // The same person's first sign-in in another tab created the account a moment ago: this one signs in to it.
                    outcome = await SignInAsync(integration, outcome, tokens!, browser, cancellationToken);
                }
            }
            else
            {
                await recorder.RecordAsync(integration.Id, outcome, browser, cancellationToken);
            }
        }
        catch (DbUpdateException)
        {
            if (await IntegrationExistsAsync(integration.Id, cancellationToken))
            {
                throw;
            }
            // Deleted while the server had the browser: the account, session and event would belong to nothing.
            outcome = SignInOutcome.Failure(SignInErrorKind.IntegrationUnavailable, SignInStep.Account,
                $"The integration \"{integration.Name}\" was deleted while {platforms.WordingOf(integration.Platform).ServerName} had the browser, so the sign-in was not completed and nothing was recorded.",
                pending, integration.Name);
        }
        verifications.Completed(pending.Id, outcome);
        return outcome;
    }

    /// <summary>
    /// The server may leave the state out when it sends the browser back with an error (a user who chose Deny): the
    /// error still says what happened. Nothing ties such an answer to a sign-in of this browser, so it is explained,
    /// never recorded.
    /// </summary>
    private async Task<SignInOutcome> ErrorWithoutStateAsync(Guid integrationId, string error, CancellationToken cancellationToken)
    {
        Integration? integration;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            integration = await IntegrationById.RunAsync(db, integrationId, cancellationToken);
        }
        var words = integration is null ? PlatformWording.Generic : platforms.WordingOf(integration.Platform);
        var (kind, message) = OAuthErrorMessages.ForAuthorizeError(error, words);
        return SignInOutcome.Failure(kind, SignInStep.Authorize, message, integrationName: integration?.Name, errorCode: error) with { ServerName = words.ServerName };
    }

    private async Task<bool> IntegrationExistsAsync(Guid integrationId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Integrations.AnyAsync(i => i.Id == integrationId, cancellationToken);
    }

    private static readonly PerModelQuery<Guid, Integration?> IntegrationById =
        new((db, id, _) => db.Integrations.AsNoTracking().SingleOrDefault(i => i.Id == id));

    /// <summary>
    /// The callback of a verification with new credentials: the round trip runs with them; success swaps them in (and
    /// is recorded like any verification), failure is kept beside them and leaves the current credentials in place.
    /// </summary>
    private async Task<SignInOutcome> CompleteReplacementAsync(Integration integration, PendingAuthorization pending, Guid replacementId,
        CallbackParameters callback, Actor browser, CancellationToken cancellationToken)
    {
        var kind = integration.OAuthVersion == OAuthVersion.OAuth2 ? CredentialKind.ClientSecret : CredentialKind.KeyPair;
        var replacement = await replacements.FindByIdAsync(replacementId, integration.Id, cancellationToken);
        SignInOutcome outcome;
        if (replacement is null)
        {
            outcome = SignInOutcome.Failure(SignInErrorKind.StateUnknown, SignInStep.State, CredentialReplacementMessages.DiscardedMeanwhile(kind), pending, integration.Name);
        }
        else
        {
            var tested = replacement.ApplyTo(integration);
            using (OutboundTrust.Use(integration.TrustedCaPem))
            {
                outcome = SignInLikelyCauses.AddTo(tested, platforms.Find(tested.Platform), (await ExchangeAndIdentifyAsync(tested, pending, callback, cancellationToken)).Outcome);
            }
            if (!outcome.Succeeded)
            {
                await replacements.RecordFailureAsync(replacement, VerificationMessages.FailedStep(outcome), browser, cancellationToken);
            }
            // The swap is an administrator's change: whoever started the verification must still be one when it runs.
            else if (await replacements.SwapInAsync(replacement, browser, $"signed in as {outcome.Identity?.DisplayName ?? outcome.Identity?.Name}", cancellationToken) is { Swapped: false } notSwapped)
            {
                outcome = SignInOutcome.Failure(SignInErrorKind.StateUnknown, SignInStep.State,
                    notSwapped.Refusal is { } refusal
                        ? CredentialReplacementMessages.NotSwappedWithoutAccess(kind, refusal.Message)
                        : CredentialReplacementMessages.DiscardedMeanwhile(kind),
                    pending, integration.Name);
            }
            else
            {
                await recorder.RecordAsync(integration.Id, outcome, browser, cancellationToken);
            }
        }
        outcome = outcome with { Replacement = kind };
        verifications.Completed(pending.Id, outcome);
        return outcome;
    }

    /// <returns>The outcome, and on success the tokens to keep.</returns>
    private async Task<(SignInOutcome Outcome, TokenSet? Tokens)> ExchangeAndIdentifyAsync(Integration integration, PendingAuthorization pending, CallbackParameters callback, CancellationToken cancellationToken)
    {
        if (platforms.Find(integration.Platform) is not { } platform)
        {
            return (SignInOutcome.Failure(SignInErrorKind.IntegrationMisconfigured, SignInStep.Token, PlatformCatalog.Unknown(integration.Platform), pending, integration.Name), null);
        }
        var protocol = ProtocolFor(integration);
        var exchange = await protocol.ExchangeAsync(integration, platform, pending, callback, cancellationToken);
        if (!exchange.Succeeded)
        {
            return (Failed(exchange), null);
        }

        SignInOutcome Failed(TokenExchange failure) =>
            SignInOutcome.Failure(failure.ErrorKind!.Value, failure.FailedStep ?? SignInStep.Token, failure.Message!, pending, integration.Name, failure.ErrorCode)
                with { ServerName = platform.Kind.Wording.ServerName };

        var lookup = await platform.IdentifyAsync(integration.BaseUrl, exchange.Authorize!, cancellationToken);
        if (!lookup.Succeeded)
        {
            // A protocol that reports why the server refused a signed request (OAuth 1's oauth_problem) names the cause better than a status.
            if (lookup.Refused is { } refused && protocol.ExplainRefusal(integration, refused) is { } explained)
            {
                return (Failed(explained), null);
            }
            var kind = lookup.Unreachable ? SignInErrorKind.ServerUnreachable
                : lookup.ServerTrouble ? SignInErrorKind.ServerUnavailable
                : lookup.AccountRefused ? SignInErrorKind.AccountRefused
                : SignInErrorKind.IdentityUnavailable;
            return (SignInOutcome.Failure(kind, SignInStep.Identity, lookup.Failure!, pending, integration.Name) with { ServerName = platform.Kind.Wording.ServerName }, null);
        }
        if (lookup.ServerVersion is { } version && version != integration.ServerVersion)
        {
            await RecordServerVersionAsync(integration.Id, version, cancellationToken);
        }
        var success = new SignInOutcome
        {
            IntegrationId = integration.Id,
            IntegrationName = integration.Name,
            Purpose = pending.Purpose,
            ReturnUrl = pending.ReturnUrl,
            Identity = lookup.User,
            ServerName = platform.Kind.Wording.ServerName,
        };
        return (success, exchange.Tokens);
    }

    private async Task RecordServerVersionAsync(Guid integrationId, string version, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Integrations.Where(i => i.Id == integrationId).ExecuteUpdateAsync(u => u.SetProperty(i => i.ServerVersion, version), cancellationToken);
    }

    /// <summary>
    /// Keeps what a successful sign-in changes in one save: the account and its encrypted tokens, the new session, the
    /// sign-in event and its audit entry.
    /// </summary>
    internal async Task<SignInOutcome> SignInAsync(Integration integration, SignInOutcome outcome, TokenSet tokens, Actor browser, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // The audit entry looks for the new session and account among the tracked rows; with automatic detection each
        // look would scan every tracked row again. The save detects the changes once.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var user = await accounts.AddSignInAsync(db, integration.Id, outcome.Identity!, tokens, cancellationToken);
        if (browser.SessionId is { } previous)
        {
            // Ending Setup Mode makes this person an administrator, so their account is saved first.
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync(cancellationToken);
            user = await ReplaceBrowserSessionAsync(user, previous, browser, cancellationToken);
        }
        var sessionId = sessions.AddUserSession(db, user.UserId, integration.Id);
        outcome = outcome with { User = user with { SessionId = sessionId } };
        var recorded = await recorder.AddAsync(db, integration, outcome, browser, cancellationToken);
        // The sign-in event refers to the integration, and a delete locks the integration's row before it ends its
        // sessions (DatabaseLocks.LockIntegrationRowAsync): either this save commits first and the delete ends the new
        // session, or the delete commits first and this save fails (handled by the caller).
        await DirectWrites.SaveChangesAsync(db, SignInRows, cancellationToken);
        await recorder.SavedAsync(integration, outcome, recorded, cancellationToken);
        return outcome;
    }

    /// <summary>What a sign-in adds besides the account; nothing in the same save refers to them.</summary>
    private static readonly Type[] SignInRows = [typeof(PortalSession), typeof(SignInEvent), typeof(AuditEntry)];

    private async Task<SignedInUser> ReplaceBrowserSessionAsync(SignedInUser user, Guid previous, Actor browser, CancellationToken cancellationToken)
    {
        var held = await sessions.CheckAsync(previous, cancellationToken);
        if (held is { IsActive: true, Kind: SessionKind.Setup })
        {
            var end = await setupMode.EndWithAdministratorAsync(user.UserId, browser, cancellationToken);
            user = user with
            {
                IsAdministrator = user.IsAdministrator || end.Ended,
                BecameFirstAdministrator = end.BecameAdministrator && !end.AfterRecovery,
                EndedSetupMode = end.Ended,
            };
        }
        // A sign-in replaces whatever session the browser held, so a cookie copied before it is worth nothing after.
        await sessions.EndAsync(previous, SessionEndReason.Replaced, cancellationToken);
        return user;
    }
}
