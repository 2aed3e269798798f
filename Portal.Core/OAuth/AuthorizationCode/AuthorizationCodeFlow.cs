using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;

namespace Portal.Core.OAuth.AuthorizationCode;

/// <summary>
/// The OAuth 2 side of a Bitbucket sign-in: the authorize URL (PKCE S256, scope REPO_READ, the exact registered
/// redirect URI) and the one-time code exchange. <see cref="SignInService"/> runs the rest.
/// </summary>
public sealed class AuthorizationCodeFlow(HttpClient http, SecretProtector protector, IOptions<PortalOptions> options, TimeProvider clock, ILogger<AuthorizationCodeFlow> logger)
{
    /// <summary>Where to send the browser, the state Bitbucket echoes back, and the encrypted PKCE verifier to keep.</summary>
    public (string AuthorizeUrl, string State, string ProtectedVerifier) Start(Integration integration)
    {
        var state = SecretHash.NewRandomToken(32);
        var verifier = Pkce.NewVerifier();
        var authorizeUrl = new RequestUrl(BitbucketEndpoints.Authorize(integration.BaseUrl)).CreateAuthorizeUrl(
            clientId: integration.ClientId,
            responseType: "code",
            scope: BitbucketEndpoints.OAuth2Scope,
            redirectUri: CallbackUrl.For(options.Value.NormalizedPublicUrl, integration.Id),
            state: state,
            codeChallenge: Pkce.S256Challenge(verifier),
            codeChallengeMethod: "S256");
        return (authorizeUrl, state, protector.Protect(SecretPurpose.PkceVerifier, verifier));
    }

    /// <summary>Maps a provider error, or exchanges the code once (never retried: a second use revokes the first's tokens).</summary>
    public async Task<TokenExchange> ExchangeAsync(Integration integration, PendingAuthorization pending, CallbackParameters callback, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(callback.Error))
        {
            // Only the code is read: error_description is free text from whoever made the link.
            var (kind, message) = OAuthErrorMessages.ForAuthorizeError(callback.Error);
            return TokenExchange.Failed(kind, SignInStep.Authorize, message, callback.Error);
        }
        if (string.IsNullOrEmpty(callback.Code))
        {
            return TokenExchange.Failed(SignInErrorKind.CallbackInvalid, SignInStep.Authorize,
                "Bitbucket sent the browser back without a sign-in code. Start the sign-in again; if it keeps happening, check the application link in Bitbucket.");
        }
        var clientSecret = protector.TryUnprotect(SecretPurpose.ClientSecret, integration.ProtectedClientSecret);
        var verifier = protector.TryUnprotect(SecretPurpose.PkceVerifier, pending.ProtectedSecret);
        if (clientSecret is null || verifier is null)
        {
            return TokenExchange.Failed(SignInErrorKind.IntegrationMisconfigured, SignInStep.Token,
                "The portal cannot read the stored client secret (its encryption keys changed). An administrator must enter the Client Secret again.");
        }

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
                return TokenExchange.Failed(SignInErrorKind.BitbucketUnreachable, SignInStep.Token,
                    LinkLocalAddressRefusedException.FindIn(token.Exception)?.Message
                    ?? ServerCertificateFailure.Describe(token.Exception, new Uri(integration.BaseUrl))
                    ?? $"The portal could not reach Bitbucket at {integration.BaseUrl} to finish the sign-in ({token.Exception?.Message}). Try again in a moment; if it persists, check that the portal's server can reach Bitbucket.");
            }
            var error = OAuthErrorMessages.ErrorCodeOf(token);
            logger.LogWarning("Bitbucket refused the token request for integration {IntegrationId}: HTTP {Status} {Error}", integration.Id, (int)token.HttpStatusCode, OAuthErrorCodes.Known(error));
            var (kind, message) = OAuthErrorMessages.ForTokenError(error, (int)token.HttpStatusCode);
            return TokenExchange.Failed(kind, SignInStep.Token, message, error);
        }
        var expiresAt = clock.GetUtcNow() + TimeSpan.FromSeconds(token.ExpiresIn > 0 ? token.ExpiresIn : 3600);
        return new TokenExchange(new TokenSet(token.AccessToken, token.RefreshToken, expiresAt), BitbucketIdentityClient.Bearer(token.AccessToken), null, null);
    }
}
