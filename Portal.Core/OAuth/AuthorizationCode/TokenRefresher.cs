using Portal.Core.Connections;
using Duende.IdentityModel.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Accounts;
using Portal.Core.Persistence;
using Portal.Core.Platforms;
using Portal.Core.Security;

namespace Portal.Core.OAuth.AuthorizationCode;

/// <summary>Why a refresh did not give new tokens.</summary>
public enum TokenRefreshFailure
{
    /// <summary>No refresh token is stored for this account (or the external identity is gone).</summary>
    NoRefreshToken,
    /// <summary>The stored refresh token or client secret cannot be decrypted (Data Protection keys changed).</summary>
    Unreadable,
    /// <summary>The server could not be reached, or answered with an outage or a rate limit: the same refresh token may work later.</summary>
    Unreachable,
    /// <summary>The server refused: the refresh token is used up, expired or revoked (the user must sign in again), or the client secret is wrong.</summary>
    Rejected,
}

public sealed record TokenRefreshResult(TokenRefreshFailure? Failure, string? Message)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// Exchanges a stored refresh token for new tokens. Servers may rotate both tokens on every refresh (the old refresh
/// token is dead afterwards), so the new pair is stored at once. Never retried: a second use of the old refresh
/// token would be refused.
/// </summary>
public sealed class TokenRefresher(
    IDbContextFactory<PortalDbContext> dbFactory,
    HttpClient http,
    AccountService accounts,
    PlatformCatalog platforms,
    SecretProtector protector,
    TimeProvider clock,
    ILogger<TokenRefresher> logger)
{
    public async Task<TokenRefreshResult> RefreshAsync(Guid externalIdentityId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var external = await db.ExternalIdentities.AsNoTracking().SingleOrDefaultAsync(e => e.Id == externalIdentityId, cancellationToken);
        if (external?.ProtectedRefreshToken is not { Length: > 0 } protectedRefreshToken)
        {
            return new(TokenRefreshFailure.NoRefreshToken, "The portal holds no refresh token for this account. The user must sign in again.");
        }
        var integration = await db.Integrations.AsNoTracking().SingleAsync(i => i.Id == external.IntegrationId, cancellationToken);
        var refreshToken = protector.TryUnprotect(SecretPurpose.RefreshToken, protectedRefreshToken);
        var clientSecret = protector.TryUnprotect(SecretPurpose.ClientSecret, integration.ProtectedClientSecret);
        if (refreshToken is null || clientSecret is null)
        {
            return new(TokenRefreshFailure.Unreadable,
                "The portal cannot read the stored tokens or client secret (its encryption keys changed). The user must sign in again; if the client secret is unreadable, an administrator must enter it again.");
        }

        if (platforms.Find(integration.Platform) is not { } platform)
        {
            return new(TokenRefreshFailure.Rejected, PlatformCatalog.Unknown(integration.Platform));
        }
        var words = platform.Kind.Wording;
        var now = clock.GetUtcNow();
        TokenResponse response;
        try
        {
            using (OutboundTrust.Use(integration.TrustedCaPem))
            {
                response = await http.RequestRefreshTokenAsync(new RefreshTokenRequest
                {
                    Address = platform.OAuth2Endpoints(integration.BaseUrl).Token,
                    ClientId = integration.ClientId,
                    ClientSecret = clientSecret,
                    ClientCredentialStyle = ClientCredentialStyle.PostBody,
                    RefreshToken = refreshToken,
                }, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The refresh request to {BaseUrl} got no answer within {Seconds} s", integration.BaseUrl, http.Timeout.TotalSeconds);
            return new(TokenRefreshFailure.Unreachable, OAuthErrorMessages.TokenRequestTimedOut(integration.BaseUrl, http.Timeout, words, "renew the access token"));
        }
        if (OAuthErrorMessages.AnsweredWithoutOAuthJson(response))
        {
            logger.LogWarning("The token endpoint of integration {IntegrationId} answered the refresh request with HTTP {Status} ({ContentType}) instead of OAuth JSON",
                integration.Id, (int)response.HttpStatusCode, response.HttpResponse!.Content.Headers.ContentType?.MediaType);
            return Refused(OAuthErrorMessages.ForTokenError(null, (int)response.HttpStatusCode, words));
        }
        if (response.IsError || string.IsNullOrEmpty(response.AccessToken))
        {
            if (response.ErrorType == ResponseErrorType.Exception)
            {
                logger.LogWarning("The refresh request to {BaseUrl} failed: {Reason}", integration.BaseUrl, response.Exception?.GetType().Name);
                return new(TokenRefreshFailure.Unreachable, LinkLocalAddressRefusedException.FindIn(response.Exception)?.Message
                    ?? ServerCertificateFailure.Describe(response.Exception, new Uri(integration.BaseUrl), words.ServerName)
                    ?? $"The portal could not reach {words.ServerName} at {integration.BaseUrl} to renew the access token ({response.Exception?.Message}).");
            }
            var error = OAuthErrorMessages.ErrorCodeOf(response);
            logger.LogWarning("The token endpoint refused the refresh request for integration {IntegrationId}: HTTP {Status} {Error}", integration.Id, (int)response.HttpStatusCode, OAuthErrorCodes.Known(error));
            var refused = OAuthErrorMessages.ForTokenError(error, (int)response.HttpStatusCode, words);
            return refused.Kind != SignInErrorKind.ServerUnavailable && error == "invalid_grant"
                ? new(TokenRefreshFailure.Rejected, $"{words.ServerNameAtStart} no longer accepts the stored refresh token: it was already used, expired, or the user revoked the portal's access in {words.ServerName}. The user must sign in again.")
                : Refused(refused);
        }

        // An outage or a rate limit is not the refresh token's fault: the same token may work later.
        static TokenRefreshResult Refused((SignInErrorKind Kind, string Message) refused) =>
            new(refused.Kind == SignInErrorKind.ServerUnavailable ? TokenRefreshFailure.Unreachable : TokenRefreshFailure.Rejected, refused.Message);

        var expiresAt = now + TimeSpan.FromSeconds(response.ExpiresIn > 0 ? response.ExpiresIn : 3600);
        await accounts.UpdateTokensAsync(external.Id, new TokenSet(response.AccessToken, response.RefreshToken, expiresAt), cancellationToken);
        return new(null, null);
    }
}
