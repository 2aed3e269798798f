using Portal.Core.Connections;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Security;

namespace Portal.Core.OAuth.AuthorizationCode;

/// <summary>
/// The OAuth 2 authorization code flow: the authorize URL (PKCE S256, the platform's scope, the exact registered
/// redirect URI) and the one-time code exchange with the client secret in the form body.
/// </summary>
public sealed class AuthorizationCodeFlow(HttpClient http, SecretProtector protector, IOptions<PortalOptions> options, TimeProvider clock, ILogger<AuthorizationCodeFlow> logger)
    : ISignInProtocol
{
    public OAuthVersion Version => OAuthVersion.OAuth2;

    public Task<SignInStart> StartAsync(Integration integration, IPlatform platform, CancellationToken cancellationToken)
    {
        var endpoints = platform.OAuth2Endpoints(integration.BaseUrl);
        var state = SecretHash.NewRandomToken(32);
        var verifier = Pkce.NewVerifier();
        var authorizeUrl = new RequestUrl(endpoints.Authorize).CreateAuthorizeUrl(
            clientId: integration.ClientId,
            responseType: "code",
            scope: endpoints.Scope,
            redirectUri: CallbackUrl.For(options.Value.NormalizedPublicUrl, integration.Id),
            state: state,
            codeChallenge: Pkce.S256Challenge(verifier),
            codeChallengeMethod: "S256");
        return Task.FromResult(new SignInStart(authorizeUrl, state, protector.Protect(SecretPurpose.PkceVerifier, verifier)));
    }

    /// <summary>Maps a provider error, or exchanges the code once (never retried: a second use revokes the first's tokens).</summary>
    public async Task<TokenExchange> ExchangeAsync(Integration integration, IPlatform platform, PendingAuthorization pending, CallbackParameters callback, CancellationToken cancellationToken)
    {
        var words = platform.Kind.Wording;
        if (!string.IsNullOrEmpty(callback.Error))
        {
            // Only the code is read: error_description is free text from whoever made the link.
            var (kind, message) = OAuthErrorMessages.ForAuthorizeError(callback.Error, words);
            return TokenExchange.Failed(kind, SignInStep.Authorize, message, callback.Error);
        }
        if (string.IsNullOrEmpty(callback.Code))
        {
            return TokenExchange.Failed(SignInErrorKind.CallbackInvalid, SignInStep.Authorize,
                $"{words.ServerNameAtStart} sent the browser back without a sign-in code. Start the sign-in again; if it keeps happening, check the {words.ApplicationNoun} in {words.ApplicationsPlace}.");
        }
        var clientSecret = protector.TryUnprotect(SecretPurpose.ClientSecret, integration.ProtectedClientSecret);
        var verifier = protector.TryUnprotect(SecretPurpose.PkceVerifier, pending.ProtectedSecret);
        if (clientSecret is null || verifier is null)
        {
            return TokenExchange.Failed(SignInErrorKind.IntegrationMisconfigured, SignInStep.Token,
                "The portal cannot read the stored client secret (its encryption keys changed). An administrator must enter the Client Secret again.");
        }

        TokenResponse token;
        try
        {
            token = await http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
            {
                Address = platform.OAuth2Endpoints(integration.BaseUrl).Token,
                ClientId = integration.ClientId,
                ClientSecret = clientSecret,
                ClientCredentialStyle = ClientCredentialStyle.PostBody,
                Code = callback.Code,
                RedirectUri = CallbackUrl.For(options.Value.NormalizedPublicUrl, integration.Id),
                CodeVerifier = verifier,
            }, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The token request to {BaseUrl} got no answer within {Seconds} s", integration.BaseUrl, http.Timeout.TotalSeconds);
            return TokenExchange.Failed(SignInErrorKind.ServerUnreachable, SignInStep.Token,
                OAuthErrorMessages.TokenRequestTimedOut(integration.BaseUrl, http.Timeout, words, "finish the sign-in"));
        }
        if (OAuthErrorMessages.AnsweredWithoutOAuthJson(token))
        {
            logger.LogWarning("The token endpoint of integration {IntegrationId} answered HTTP {Status} ({ContentType}) instead of OAuth JSON",
                integration.Id, (int)token.HttpStatusCode, token.HttpResponse!.Content.Headers.ContentType?.MediaType);
            var (answeredKind, answered) = OAuthErrorMessages.ForTokenError(null, (int)token.HttpStatusCode, words);
            return TokenExchange.Failed(answeredKind, SignInStep.Token, answered);
        }
        if (token.IsError || string.IsNullOrEmpty(token.AccessToken))
        {
            if (token.ErrorType == ResponseErrorType.Exception)
            {
                logger.LogWarning("The token request to {BaseUrl} failed: {Reason}", integration.BaseUrl, token.Exception?.GetType().Name);
                return TokenExchange.Failed(SignInErrorKind.ServerUnreachable, SignInStep.Token,
                    LinkLocalAddressRefusedException.FindIn(token.Exception)?.Message
                    ?? ServerCertificateFailure.Describe(token.Exception, new Uri(integration.BaseUrl), words.ServerName)
                    ?? $"The portal could not reach {words.ServerName} at {integration.BaseUrl} to finish the sign-in ({token.Exception?.Message}). Try again in a moment; if it persists, check that the portal's server can reach {words.ServerName}.");
            }
            var error = OAuthErrorMessages.ErrorCodeOf(token);
            logger.LogWarning("The token endpoint refused the request for integration {IntegrationId}: HTTP {Status} {Error}", integration.Id, (int)token.HttpStatusCode, OAuthErrorCodes.Known(error));
            var (kind, message) = OAuthErrorMessages.ForTokenError(error, (int)token.HttpStatusCode, words);
            return TokenExchange.Failed(kind, SignInStep.Token, OAuthErrorMessages.WithServerExplanation(message, token, words), error);
        }
        // RFC 6749 7.1: a token of another type (DPoP, MAC) is not used as a bearer token; the type compares case-insensitively.
        if (!string.IsNullOrEmpty(token.TokenType) && !string.Equals(token.TokenType, "bearer", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogWarning("The token endpoint of integration {IntegrationId} issued a token of type {TokenType}, not a bearer token", integration.Id, token.TokenType.Length <= 20 ? token.TokenType : "(long)");
            return TokenExchange.Failed(SignInErrorKind.IntegrationMisconfigured, SignInStep.Token,
                $"{words.ServerNameAtStart} issued an access token of another type than Bearer, which the portal cannot use. Check that the {words.ApplicationNoun} is an ordinary OAuth 2 application (no DPoP or other token binding) and that no proxy rewrites the token endpoint's answers.");
        }
        var expiresAt = clock.GetUtcNow() + TimeSpan.FromSeconds(token.ExpiresIn > 0 ? token.ExpiresIn : 3600);
        return new TokenExchange(new TokenSet(token.AccessToken, token.RefreshToken, expiresAt), BearerToken.Authorize(token.AccessToken), null, null);
    }

    /// <summary>An OAuth 2 resource server's refusal carries nothing the identity lookup's own message lacks.</summary>
    public TokenExchange? ExplainRefusal(Integration integration, RefusedAnswer answer) => null;
}
