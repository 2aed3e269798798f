using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// The OAuth 1.0a side of a Bitbucket sign-in (servers older than 7.21): a request token signed with the integration's
/// private key, the browser's visit to Bitbucket's authorize page, then the access token. <see cref="SignInService"/>
/// runs the rest, the same way as for OAuth 2.
/// </summary>
public sealed class OAuth1SignInProtocol(OAuth1Client client, SecretProtector protector, IOptions<PortalOptions> options, TimeProvider clock)
    : ISignInProtocol
{
    public OAuthVersion Version => OAuthVersion.OAuth1;

    /// <summary>Asks Bitbucket for a request token; the browser then goes to Bitbucket's authorize page with it.</summary>
    public async Task<SignInStart> StartAsync(Integration integration, IPlatform platform, CancellationToken cancellationToken)
    {
        var requestToken = await RequestTokenAsync(integration, cancellationToken);
        if (!requestToken.Succeeded)
        {
            var error = OAuth1Errors.AtRequestToken(requestToken.Error, integration.ConsumerKey ?? "");
            return SignInStart.Failed(TokenExchange.Failed(KindOf(error, SignInStep.Authorize), SignInStep.Authorize, error.Message, error.Problem));
        }
        var token = requestToken.Value!;
        return new SignInStart(OAuth1Client.GetAuthorizeUrl(integration.BaseUrl, token).ToString(), token.Token,
            protector.Protect(SecretPurpose.OAuth1TokenSecret, token.TokenSecret));
    }

    private async Task<OAuth1Result<OAuth1RequestToken>> RequestTokenAsync(Integration integration, CancellationToken cancellationToken)
    {
        using var privateKey = LoadPrivateKey(integration);
        if (privateKey is null)
        {
            return OAuth1Result.Failure<OAuth1RequestToken>(new OAuth1Error(OAuth1ErrorKind.SignatureInvalid, UnreadableKey));
        }
        var consumer = new OAuth1Consumer(integration.ConsumerKey!, privateKey);
        return await client.GetRequestTokenAsync(integration.BaseUrl, consumer, CallbackUrl.For(options.Value.NormalizedPublicUrl, integration.Id), cancellationToken);
    }

    /// <summary>Reads the verifier (or the user's refusal) and trades the request token for an access token.</summary>
    public async Task<TokenExchange> ExchangeAsync(Integration integration, IPlatform platform, PendingAuthorization pending, CallbackParameters callback, CancellationToken cancellationToken)
    {
        // The pending authorization was found by the value the callback echoed (SignInService: state, else oauth_token);
        // for OAuth 1 that value must be the oauth_token itself.
        var verifier = OAuth1Callback.ReadVerifier(callback.OAuthToken, callback.OAuthVerifier, callback.State ?? callback.OAuthToken ?? "");
        if (!verifier.Succeeded)
        {
            return TokenExchange.Failed(KindOf(verifier.Error, SignInStep.Authorize), SignInStep.Authorize, verifier.Error.Message);
        }
        var tokenSecret = protector.TryUnprotect(SecretPurpose.OAuth1TokenSecret, pending.ProtectedSecret);
        var privateKey = LoadPrivateKey(integration);
        if (tokenSecret is null || privateKey is null)
        {
            privateKey?.Dispose();
            return TokenExchange.Failed(SignInErrorKind.IntegrationMisconfigured, SignInStep.Token, UnreadableKey);
        }
        var consumer = new OAuth1Consumer(integration.ConsumerKey!, privateKey);
        var access = await client.GetAccessTokenAsync(integration.BaseUrl, consumer, new OAuth1RequestToken(callback.OAuthToken!, tokenSecret, true), verifier.Value!, cancellationToken);
        if (!access.Succeeded)
        {
            privateKey.Dispose();
            return TokenExchange.Failed(KindOf(access.Error, SignInStep.Token), SignInStep.Token, access.Error.Message, access.Error.Problem);
        }
        var token = access.Value!;
        var credentials = token.ToCredentials(consumer);
        var signer = new OAuth1Signer(clock);
        var expiresAt = clock.GetUtcNow() + (token.ExpiresIn ?? TimeSpan.FromDays(365 * 5));
        // The key must outlive this method: the identity requests that follow are signed with it.
        return new TokenExchange(new TokenSet(token.Token, null, expiresAt, token.TokenSecret), request =>
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(
                signer.CreateAuthorizationHeader(request.Method, request.RequestUri!, null, credentials));
            return Task.CompletedTask;
        }, null, null);
    }

    /// <summary>
    /// Why Bitbucket refused a request signed with the access token (the identity lookup), when its answer reports an
    /// <c>oauth_problem</c>; null otherwise, and the lookup's own message applies.
    /// </summary>
    public TokenExchange? ExplainRefusal(Integration integration, RefusedAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(answer);
        return OAuth1Problem.Read(answer.WwwAuthenticate, answer.Body) is { } problem
            && OAuth1Errors.FromResourceProblem(problem, integration.ConsumerKey ?? "", clock.GetUtcNow(), answer.Date, answer.StatusCode) is { } error
            ? TokenExchange.Failed(KindOf(error, SignInStep.Identity), SignInStep.Identity, error.Message, error.Problem)
            : null;
    }

    /// <summary>What an OAuth 1 failure at <paramref name="step"/> means to the person signing in (<see cref="SignInFailureMessages"/>).</summary>
    /// <remarks>
    /// Only at the access token step is a rejected or expired token this sign-in's own (the request token the browser
    /// brought back), which signing in again replaces. Elsewhere no token of the user's is involved yet, or it was issued
    /// a moment ago; and Bitbucket sees a nonce again only when something between the two repeats the portal's requests
    /// (a proxy retrying POSTs), which every new attempt meets too. So those are for an administrator to fix.
    /// </remarks>
    public static SignInErrorKind KindOf(OAuth1Error error, SignInStep step = SignInStep.Token)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Kind switch
        {
            OAuth1ErrorKind.TokenRejected or OAuth1ErrorKind.TokenExpired when step == SignInStep.Token => SignInErrorKind.CodeRejected,
            OAuth1ErrorKind.TokenRejected or OAuth1ErrorKind.TokenExpired or OAuth1ErrorKind.NonceUsed => SignInErrorKind.IntegrationMisconfigured,
            OAuth1ErrorKind.TimestampRefused => SignInErrorKind.ClockSkew,
            OAuth1ErrorKind.UserDeclined => SignInErrorKind.UserDeclined,
            OAuth1ErrorKind.PermissionDenied or OAuth1ErrorKind.PermissionUnknown => SignInErrorKind.AccessNotGranted,
            OAuth1ErrorKind.CallbackInvalid => SignInErrorKind.CallbackInvalid,
            OAuth1ErrorKind.NetworkFailure => SignInErrorKind.ServerUnreachable,
            OAuth1ErrorKind.UnexpectedResponse when error.StatusCode >= 500 => SignInErrorKind.ServerUnavailable,
            _ => SignInErrorKind.IntegrationMisconfigured,
        };
    }

    private const string UnreadableKey = "The portal cannot read this integration's stored private key (its encryption keys changed). Recreate the integration to generate a new key pair.";

    private RSA? LoadPrivateKey(Integration integration)
    {
        var pem = integration.ProtectedPrivateKey is { } stored ? protector.TryUnprotect(SecretPurpose.PrivateKey, stored) : null;
        return pem is null ? null : OAuth1KeyPair.ImportPrivateKey(pem);
    }
}
