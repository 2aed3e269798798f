using Portal.Core.Platforms;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Core.OAuth;

/// <summary>
/// Adds a likely cause the failure itself cannot show to the administrator message of a failed sign-in: an OAuth 2
/// integration on a plain http base URL. The public message is derived from the error kind and stays as it is.
/// </summary>
internal static class SignInLikelyCauses
{
    public static SignInOutcome AddTo(Integration integration, SignInOutcome outcome)
    {
        if (outcome.Succeeded || integration.OAuthVersion != OAuthVersion.OAuth2 || HasKnownCause(outcome)
            || BitbucketOAuthRules.PlainHttpSignInCause(integration.BaseUrl) is not { } cause)
        {
            return outcome;
        }
        return outcome with { AdministratorMessage = $"{outcome.AdministratorMessage} {cause}" };
    }

    /// <summary>Failures whose message already names a cause http cannot have: the user's choice, the network, a wrong secret or scope.</summary>
    private static bool HasKnownCause(SignInOutcome outcome) =>
        outcome.ErrorKind is SignInErrorKind.UserDeclined or SignInErrorKind.ServerUnreachable
        || outcome.ErrorCode is "invalid_client" or "invalid_scope";
}
