using Portal.Core.Platforms;
using Portal.Core.Integrations;

namespace Portal.Core.OAuth;

/// <summary>
/// Adds a likely cause the failure itself cannot show to the administrator message of a failed sign-in: what the
/// integration's platform says its base URL alone explains (a plain http base URL, where the platform needs https). The public message is derived from the error kind and stays as it is.
/// </summary>
internal static class SignInLikelyCauses
{
    public static SignInOutcome AddTo(Integration integration, IPlatform? platform, SignInOutcome outcome)
    {
        if (outcome.Succeeded || integration.OAuthVersion != OAuthVersion.OAuth2 || HasKnownCause(outcome)
            || platform?.LikelySignInCause(integration.BaseUrl) is not { } cause)
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
