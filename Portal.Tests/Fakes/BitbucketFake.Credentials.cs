namespace Portal.Tests.Fakes;

/// <summary>
/// A Bitbucket administrator changes a link's credentials: a new Client Secret for an OAuth 2 link, a new Public Key in
/// an OAuth 1 link's Incoming Authentication. Bitbucket holds one of each per link, so the old one stops working at once.
/// </summary>
public sealed partial class BitbucketFake
{
    private readonly List<string> _retiredClientSecrets = [];

    /// <summary>Gives the link <paramref name="clientId"/> a fresh 64-hex Client Secret; the old one is refused from now on.</summary>
    public BitbucketOAuthClient ResetClientSecret(string clientId)
    {
        lock (_oauth)
        {
            var client = _clients[clientId];
            // Kept among the secret values, so tests still find it if the portal ever leaks it.
            _retiredClientSecrets.Add(client.ClientSecret);
            var reset = client with { ClientSecret = BitbucketOAuthClient.RandomHex(32) };
            _clients[clientId] = reset;
            return reset;
        }
    }

    /// <summary>Replaces the Public Key of the Incoming Authentication with Consumer Key <paramref name="consumerKey"/>.</summary>
    public BitbucketOAuth1Consumer ReplaceOAuth1PublicKey(string consumerKey, string publicKeyPem)
    {
        BitbucketOAuth1Consumer current;
        lock (_oauth)
        {
            current = _oauth1Consumers[consumerKey];
        }
        return RegisterOAuth1Consumer(consumerKey, publicKeyPem, current.Name, current.CallbackUrl);
    }

    /// <summary>The public key Bitbucket holds for <paramref name="consumerKey"/> now.</summary>
    public string OAuth1PublicKeyOf(string consumerKey)
    {
        lock (_oauth)
        {
            return _oauth1Consumers[consumerKey].PublicKeyPem;
        }
    }
}
