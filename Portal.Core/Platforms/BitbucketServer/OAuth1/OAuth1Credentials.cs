namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// What signs one request: the consumer, plus the request token or access token when the request carries one.
/// </summary>
public sealed class OAuth1Credentials
{
    /// <summary>Credentials of the consumer alone (the request-token call).</summary>
    public OAuth1Credentials(OAuth1Consumer consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        Consumer = consumer;
    }

    /// <summary>Credentials of the consumer acting with a token (access-token call, signed resource requests).</summary>
    public OAuth1Credentials(OAuth1Consumer consumer, string token, string tokenSecret)
        : this(consumer)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        ArgumentNullException.ThrowIfNull(tokenSecret);
        Token = token;
        TokenSecret = tokenSecret;
    }

    /// <summary>The consumer whose private key signs.</summary>
    public OAuth1Consumer Consumer { get; }

    /// <summary>The <c>oauth_token</c> sent with the request, or null.</summary>
    public string? Token { get; }

    /// <summary>The token's secret; RSA-SHA1 does not use it, but Bitbucket issues one and HMAC-SHA1 would.</summary>
    public string? TokenSecret { get; }

    /// <inheritdoc />
    public override string ToString() => $"OAuth1Credentials {Consumer.ConsumerKey}{(Token is null ? "" : " with token")}";
}
