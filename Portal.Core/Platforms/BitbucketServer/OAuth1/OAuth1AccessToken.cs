using System.Globalization;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>The token credentials from <c>access-token</c> (Bitbucket's default lifetime is 5 years).</summary>
/// <param name="Token">The access <c>oauth_token</c>; a secret.</param>
/// <param name="TokenSecret">The <c>oauth_token_secret</c>; a secret.</param>
/// <param name="ExpiresIn">From <c>oauth_expires_in</c>, when sent.</param>
/// <param name="SessionHandle">The <c>oauth_session_handle</c> Bitbucket needs to renew the token, when sent.</param>
/// <param name="AuthorizationExpiresIn">From <c>oauth_authorization_expires_in</c>, when sent.</param>
public sealed record OAuth1AccessToken(
    string Token,
    string TokenSecret,
    TimeSpan? ExpiresIn,
    string? SessionHandle,
    TimeSpan? AuthorizationExpiresIn)
{
    /// <summary>Reads an access-token answer; null when <c>oauth_token</c> or <c>oauth_token_secret</c> is missing.</summary>
    public static OAuth1AccessToken? FromForm(OAuth1Form form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var token = form[OAuth1ProtocolParameter.Token];
        var secret = form[OAuth1ProtocolParameter.TokenSecret];
        if (string.IsNullOrEmpty(token) || secret is null)
        {
            return null;
        }

        return new OAuth1AccessToken(
            token,
            secret,
            Seconds(form[OAuth1ProtocolParameter.ExpiresIn]),
            form[OAuth1ProtocolParameter.SessionHandle],
            Seconds(form[OAuth1ProtocolParameter.AuthorizationExpiresIn]));
    }

    /// <summary>Credentials that sign requests on the user's behalf with this token.</summary>
    public OAuth1Credentials ToCredentials(OAuth1Consumer consumer) => new(consumer, Token, TokenSecret);

    /// <inheritdoc />
    public override string ToString() => $"OAuth1AccessToken {{ ExpiresIn = {ExpiresIn} }}";

    /// <summary>The longest lifetime kept: a token ttl set to "never" (a huge number) must not overflow the expiry date.</summary>
    public static readonly TimeSpan LongestLifetime = TimeSpan.FromDays(100 * 365);

    private static TimeSpan? Seconds(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(Math.Min(seconds, (long)LongestLifetime.TotalSeconds))
            : value is { Length: > 0 } && value.All(char.IsAsciiDigit) ? LongestLifetime : null;
}
