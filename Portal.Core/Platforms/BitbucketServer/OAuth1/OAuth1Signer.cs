using System.Globalization;
using System.Security.Cryptography;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// Signs requests the way Bitbucket's OAuth 1.0a provider expects (RFC 5849 with RSA-SHA1) and builds the
/// <c>Authorization: OAuth realm="", oauth_consumer_key="…", …</c> header value. The nonce comes from
/// <see cref="RandomNumberGenerator"/>, the timestamp from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class OAuth1Signer(TimeProvider timeProvider)
{
    /// <summary>The <c>oauth_version</c> sent with every request.</summary>
    public const string ProtocolVersion = "1.0";

    /// <summary>Signs a request with a fresh nonce and the current time and returns the Authorization header value.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="url">The absolute request URL, query included.</param>
    /// <param name="formBody">The body if it is <c>application/x-www-form-urlencoded</c>, otherwise null.</param>
    /// <param name="credentials">The consumer and, if any, the token.</param>
    /// <param name="extraProtocolParameters">Further <c>oauth_*</c> parameters such as <c>oauth_callback</c> or <c>oauth_verifier</c>.</param>
    public string CreateAuthorizationHeader(
        HttpMethod method,
        Uri url,
        string? formBody,
        OAuth1Credentials credentials,
        IEnumerable<KeyValuePair<string, string>>? extraProtocolParameters = null) =>
        CreateAuthorizationHeader(method, url, formBody, credentials, extraProtocolParameters, NewNonce(), CurrentTimestamp());

    /// <summary>Signs a request with the given nonce and timestamp; deterministic, so published vectors can be reproduced.</summary>
    public static string CreateAuthorizationHeader(
        HttpMethod method,
        Uri url,
        string? formBody,
        OAuth1Credentials credentials,
        IEnumerable<KeyValuePair<string, string>>? extraProtocolParameters,
        string nonce,
        long timestamp) =>
        OAuth1AuthorizationHeader.Format(SignedProtocolParameters(method, url, formBody, credentials, extraProtocolParameters, nonce, timestamp));

    /// <summary>The protocol parameters of a signed request, <c>oauth_signature</c> last, not yet encoded.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> SignedProtocolParameters(
        HttpMethod method,
        Uri url,
        string? formBody,
        OAuth1Credentials credentials,
        IEnumerable<KeyValuePair<string, string>>? extraProtocolParameters,
        string nonce,
        long timestamp)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(nonce);

        var parameters = new List<KeyValuePair<string, string>>
        {
            new(OAuth1ProtocolParameter.ConsumerKey, credentials.Consumer.ConsumerKey),
        };
        if (credentials.Token is not null)
        {
            parameters.Add(new(OAuth1ProtocolParameter.Token, credentials.Token));
        }

        parameters.Add(new(OAuth1ProtocolParameter.SignatureMethod, OAuth1SignatureMethod.RsaSha1Name));
        parameters.Add(new(OAuth1ProtocolParameter.Timestamp, timestamp.ToString(CultureInfo.InvariantCulture)));
        parameters.Add(new(OAuth1ProtocolParameter.Nonce, nonce));
        parameters.Add(new(OAuth1ProtocolParameter.Version, ProtocolVersion));
        parameters.AddRange(extraProtocolParameters ?? []);

        var baseString = OAuth1SignatureBaseString.Create(method.Method, url, formBody, parameters);
        parameters.Add(new(OAuth1ProtocolParameter.Signature, OAuth1SignatureMethod.RsaSha1(baseString, credentials.Consumer.PrivateKey)));
        return parameters;
    }

    /// <summary>A fresh nonce: 128 random bits as lowercase hex.</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The current time as whole seconds since the Unix epoch, from the injected clock.</summary>
    public long CurrentTimestamp() => timeProvider.GetUtcNow().ToUnixTimeSeconds();
}
