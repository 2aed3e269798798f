using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>Reads the browser's return from Bitbucket's authorize page: <c>?oauth_token=…&amp;oauth_verifier=…</c>.</summary>
public static class OAuth1Callback
{
    /// <summary>The verifier value Bitbucket sends when the user chose Deny.</summary>
    public const string DeniedVerifier = "denied";

    /// <summary>
    /// Returns the <c>oauth_verifier</c> to exchange, or an error: <see cref="OAuth1ErrorKind.UserDeclined"/> when the user
    /// chose Deny, <see cref="OAuth1ErrorKind.CallbackInvalid"/> when the token is not the one this sign-in requested or
    /// the verifier is missing.
    /// </summary>
    public static OAuth1Result<string> ReadVerifier(string? oauthToken, string? oauthVerifier, string expectedRequestToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedRequestToken);
        if (string.Equals(oauthVerifier, DeniedVerifier, StringComparison.Ordinal))
        {
            return OAuth1Result.Failure<string>(OAuth1Errors.UserDeclined());
        }

        if (oauthToken is null || !CryptographicOperations.FixedTimeEquals(
                Encoding.UTF8.GetBytes(oauthToken), Encoding.UTF8.GetBytes(expectedRequestToken)))
        {
            return OAuth1Result.Failure<string>(OAuth1Errors.CallbackTokenMismatch());
        }

        return string.IsNullOrEmpty(oauthVerifier)
            ? OAuth1Result.Failure<string>(OAuth1Errors.CallbackWithoutVerifier())
            : OAuth1Result.Success(oauthVerifier);
    }
}
