namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>The temporary credentials from <c>request-token</c>; Bitbucket keeps them for 10 minutes.</summary>
/// <param name="Token">The <c>oauth_token</c> the user authorizes.</param>
/// <param name="TokenSecret">The <c>oauth_token_secret</c>; a secret, kept server-side only.</param>
/// <param name="CallbackConfirmed">Whether Bitbucket confirmed the callback (<c>oauth_callback_confirmed=true</c>, OAuth 1.0a).</param>
public sealed record OAuth1RequestToken(string Token, string TokenSecret, bool CallbackConfirmed)
{
    /// <summary>Reads a request-token answer; null when <c>oauth_token</c> or <c>oauth_token_secret</c> is missing.</summary>
    public static OAuth1RequestToken? FromForm(OAuth1Form form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var token = form[OAuth1ProtocolParameter.Token];
        var secret = form[OAuth1ProtocolParameter.TokenSecret];
        if (string.IsNullOrEmpty(token) || secret is null)
        {
            return null;
        }

        var confirmed = string.Equals(form[OAuth1ProtocolParameter.CallbackConfirmed], "true", StringComparison.OrdinalIgnoreCase);
        return new OAuth1RequestToken(token, secret, confirmed);
    }

    /// <inheritdoc />
    public override string ToString() => $"OAuth1RequestToken {{ CallbackConfirmed = {CallbackConfirmed} }}";
}
