using Duende.IdentityModel.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.Persistence;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;

namespace Portal.Core.OAuth.AuthorizationCode;

/// <summary>
/// Bitbucket's OAuth 2 authorization-code flow with PKCE, in two phases: <see cref="PrepareAsync"/> stores a pending
/// authorization and builds the authorize URL; <see cref="CompleteAsync"/> checks and consumes it, exchanges the code
/// once, identifies the user and records the sign-in. Expected failures are result values, never exceptions.
/// </summary>
public sealed class AuthorizationCodeFlow(
    IDbContextFactory<PortalDbContext> dbFactory,
    HttpClient http,
    BitbucketIdentityClient identityClient,
    AccountService accounts,
    SecretProtector protector,
    IOptions<PortalOptions> options,
    TimeProvider clock,
    ILogger<AuthorizationCodeFlow> logger,
    IEnumerable<ISignInOutcomeListener>? signInListeners = null)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public async Task<PrepareResult> PrepareAsync(Guid integrationId, string returnUrl, AuthorizationPurpose purpose, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var integration = await db.Integrations.AsNoTracking().SingleOrDefaultAsync(i => i.Id == integrationId, cancellationToken);
        if (integration is null || (!integration.Enabled && purpose == AuthorizationPurpose.SignIn))
        {
            return new PrepareResult(null, "This sign-in option no longer exists or is disabled. Choose another one, or ask an administrator.");
        }
        if (integration.OAuthVersion != OAuthVersion.OAuth2)
        {
            return new PrepareResult(null, $"\"{integration.Name}\" uses OAuth 1, which this portal cannot sign in with yet.");
        }

        var now = clock.GetUtcNow();
        await db.PendingAuthorizations.Where(p => p.ExpiresAt < now - Lifetime).ExecuteDeleteAsync(cancellationToken);
        var state = SecretHash.NewRandomToken(32);
        var correlation = SecretHash.NewRandomToken(32);
        var verifier = Pkce.NewVerifier();
        var pending = new PendingAuthorization
        {
            StateHash = SecretHash.Sha256Hex(state),
            CorrelationHash = SecretHash.Sha256Hex(correlation),
            IntegrationId = integration.Id,
            Purpose = purpose,
            ProtectedCodeVerifier = protector.Protect(SecretPurpose.PkceVerifier, verifier),
            ReturnUrl = returnUrl,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        db.PendingAuthorizations.Add(pending);
        await db.SaveChangesAsync(cancellationToken);

        var authorizeUrl = new RequestUrl(BitbucketEndpoints.Authorize(integration.BaseUrl)).CreateAuthorizeUrl(
            clientId: integration.ClientId,
            responseType: "code",
            scope: BitbucketEndpoints.OAuth2Scope,
            redirectUri: CallbackUrl.For(options.Value.NormalizedPublicUrl, integration.Id),
            state: state,
            codeChallenge: Pkce.S256Challenge(verifier),
            codeChallengeMethod: "S256");
        return new PrepareResult(new AuthorizationStart(authorizeUrl, correlation, pending.ExpiresAt), null);
    }

    /// <param name="correlations">The correlation cookie values this browser holds (one per sign-in in flight).</param>
    /// <param name="holdsSetupSession">Whether the browser holds the setup cookie: the first such sign-in makes the first administrator.</param>
    public async Task<SignInOutcome> CompleteAsync(Guid integrationId, CallbackParameters callback, IReadOnlyCollection<string> correlations, bool holdsSetupSession, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(callback.State))
        {
            return SignInOutcome.Failure(SignInErrorKind.StateMissing, SignInStep.State,
                "The answer from Bitbucket carried no sign-in state, so the portal cannot tell it was this browser's sign-in. Start the sign-in again from the portal.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stateHash = SecretHash.Sha256Hex(callback.State);
        var pending = await db.PendingAuthorizations.AsNoTracking()
            .SingleOrDefaultAsync(p => p.StateHash == stateHash && p.IntegrationId == integrationId, cancellationToken);
        if (pending is null)
        {
            return SignInOutcome.Failure(SignInErrorKind.StateUnknown, SignInStep.State,
                "This sign-in link is not one the portal started, or it is too old. Start the sign-in again from the portal.");
        }
        var integration = await db.Integrations.AsNoTracking().SingleAsync(i => i.Id == pending.IntegrationId, cancellationToken);
        var outcome = await CompletePendingAsync(db, integration, pending, callback, correlations, holdsSetupSession, cancellationToken);
        if (outcome.ErrorKind is not (SignInErrorKind.StateFromAnotherBrowser or SignInErrorKind.StateReplayed))
        {
            await RecordAsync(db, integration, outcome, cancellationToken);
        }
        return outcome;
    }

    private async Task<SignInOutcome> CompletePendingAsync(PortalDbContext db, Integration integration, PendingAuthorization pending, CallbackParameters callback, IReadOnlyCollection<string> correlations, bool holdsSetupSession, CancellationToken cancellationToken)
    {
        SignInOutcome Fail(SignInErrorKind kind, SignInStep step, string message) => SignInOutcome.Failure(kind, step, message, pending, integration.Name);

        if (!correlations.Any(c => SecretHash.Sha256Hex(c) == pending.CorrelationHash))
        {
            return Fail(SignInErrorKind.StateFromAnotherBrowser, SignInStep.State,
                "This sign-in was started in another browser (or its cookie was lost), so it cannot finish here. Start the sign-in again in this browser; if it keeps happening, allow cookies for the portal.");
        }
        var now = clock.GetUtcNow();
        if (pending.ExpiresAt <= now)
        {
            return Fail(SignInErrorKind.StateExpired, SignInStep.State,
                $"The sign-in took longer than {Lifetime.TotalMinutes:0} minutes and expired. Start the sign-in again.");
        }
        // Consumed in one statement: of any number of racing callbacks with this state, exactly one gets past here.
        var consumed = await db.PendingAuthorizations.Where(p => p.Id == pending.Id && p.ConsumedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.ConsumedAt, now), cancellationToken);
        if (consumed != 1)
        {
            return Fail(SignInErrorKind.StateReplayed, SignInStep.State,
                "This sign-in answer was already used. Each sign-in works once: start the sign-in again from the portal.");
        }
        if (!string.IsNullOrEmpty(callback.Error))
        {
            return Fail(SignInErrorKind.ProviderError, SignInStep.Authorize, OAuthErrorMessages.ForAuthorizeError(callback.Error, callback.ErrorDescription));
        }
        if (string.IsNullOrEmpty(callback.Code))
        {
            return Fail(SignInErrorKind.ProviderError, SignInStep.Authorize,
                "Bitbucket sent the browser back without a sign-in code. Start the sign-in again; if it keeps happening, check the application link in Bitbucket.");
        }
        var clientSecret = protector.TryUnprotect(SecretPurpose.ClientSecret, integration.ProtectedClientSecret);
        var verifier = protector.TryUnprotect(SecretPurpose.PkceVerifier, pending.ProtectedCodeVerifier);
        if (clientSecret is null || verifier is null)
        {
            return Fail(SignInErrorKind.TokenRejected, SignInStep.Token,
                "The portal cannot read the stored client secret (its encryption keys changed). An administrator must enter the Client Secret again.");
        }

        // Never retried: Bitbucket treats a second use of a code as a replay and revokes the tokens issued for it.
        var token = await http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = BitbucketEndpoints.Token(integration.BaseUrl),
            ClientId = integration.ClientId,
            ClientSecret = clientSecret,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Code = callback.Code,
            RedirectUri = CallbackUrl.For(options.Value.NormalizedPublicUrl, integration.Id),
            CodeVerifier = verifier,
        }, cancellationToken);
        if (token.IsError || string.IsNullOrEmpty(token.AccessToken))
        {
            if (token.ErrorType == ResponseErrorType.Exception)
            {
                logger.LogWarning("The token request to {BaseUrl} failed: {Reason}", integration.BaseUrl, token.Exception?.GetType().Name);
                return Fail(SignInErrorKind.TokenEndpointUnreachable, SignInStep.Token,
                    $"The portal could not reach Bitbucket at {integration.BaseUrl} to finish the sign-in ({token.Exception?.Message}). Try again in a moment; if it persists, check that the portal's server can reach Bitbucket.");
            }
            var error = token.Json?.TryGetString("error") ?? (token.ErrorType == ResponseErrorType.Protocol ? token.Error : null);
            logger.LogWarning("Bitbucket refused the token request for integration {IntegrationId}: HTTP {Status} {Error}", integration.Id, (int)token.HttpStatusCode, error);
            return Fail(SignInErrorKind.TokenRejected, SignInStep.Token, OAuthErrorMessages.ForTokenError(error, (int)token.HttpStatusCode));
        }

        var lookup = await identityClient.IdentifyAsync(integration.BaseUrl, BitbucketIdentityClient.Bearer(token.AccessToken), cancellationToken);
        if (!lookup.Succeeded)
        {
            return Fail(SignInErrorKind.IdentityUnavailable, SignInStep.Identity, lookup.Failure!);
        }

        var success = new SignInOutcome
        {
            IntegrationId = integration.Id,
            IntegrationName = integration.Name,
            Purpose = pending.Purpose,
            ReturnUrl = pending.ReturnUrl,
            Identity = lookup.User,
        };
        if (pending.Purpose == AuthorizationPurpose.Verify)
        {
            return success;
        }
        var expiresAt = now + TimeSpan.FromSeconds(token.ExpiresIn > 0 ? token.ExpiresIn : 3600);
        var user = await accounts.RecordSignInAsync(integration.Id, lookup.User!, new TokenSet(token.AccessToken, token.RefreshToken, expiresAt), holdsSetupSession, cancellationToken);
        return success with { User = user };
    }

    /// <summary>Every completed attempt is recorded; a success also marks the integration Verified.</summary>
    private async Task RecordAsync(PortalDbContext db, Integration integration, SignInOutcome outcome, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        db.SignInEvents.Add(new SignInEvent
        {
            IntegrationId = integration.Id,
            OccurredAt = now,
            Succeeded = outcome.Succeeded,
            FailedStep = outcome.FailedStep,
            FailureReason = outcome.Message,
        });
        await db.SaveChangesAsync(cancellationToken);
        if (outcome.Succeeded)
        {
            await db.Integrations.Where(i => i.Id == integration.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Verification, IntegrationVerification.Verified).SetProperty(i => i.VerifiedAt, now), cancellationToken);
        }
        foreach (var listener in signInListeners ?? [])
        {
            await listener.SignInRecordedAsync(integration.Id, cancellationToken);
        }
    }
}
