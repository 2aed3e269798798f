using System.Globalization;
using System.Security.Cryptography;
using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Fakes;

/// <summary>
/// Checks OAuth 1.0a requests the way Bitbucket's provider does (net.oauth <c>SimpleOAuthValidator</c> behind
/// Atlassian's <c>OAuthValidatorImpl</c>): RSA-SHA1 only, <c>oauth_version</c> 1.0 if sent, timestamp within ±5 minutes,
/// nonces refused for 5 minutes per consumer, then the RSA-SHA1 signature over a recomputed base string. The consumer
/// lookup (<c>consumer_key_unknown</c>) is the caller's: read the key with <see cref="ConsumerKeyOf"/> first.
/// Thread-safe, so one instance can serve a fake Bitbucket on a real Kestrel.
/// </summary>
public sealed class OAuth1SignatureVerifier
{
    /// <summary>Bitbucket's timestamp window (300 000 ms either side).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>How long a nonce stays used (Bitbucket's in-memory nonce service keeps 300 s).</summary>
    public static readonly TimeSpan NonceLifetime = TimeSpan.FromMinutes(5);

    private static readonly string[] RequiredParameters =
    [
        OAuth1ProtocolParameter.ConsumerKey,
        OAuth1ProtocolParameter.SignatureMethod,
        OAuth1ProtocolParameter.Signature,
        OAuth1ProtocolParameter.Timestamp,
        OAuth1ProtocolParameter.Nonce,
    ];

    private readonly Dictionary<(string ConsumerKey, string Nonce), DateTimeOffset> usedNonces = [];
    private readonly Lock gate = new();

    /// <summary>The <c>oauth_consumer_key</c> of an Authorization header, or null when there is none.</summary>
    public static string? ConsumerKeyOf(string? authorizationHeader) =>
        OAuth1AuthorizationHeader.Parse(authorizationHeader)?.FirstOrDefault(p => p.Key == OAuth1ProtocolParameter.ConsumerKey).Value;

    /// <summary>Verifies one request.</summary>
    /// <param name="method">The HTTP method as received.</param>
    /// <param name="url">The absolute request URL as received, query included.</param>
    /// <param name="formBody">The body when it is <c>application/x-www-form-urlencoded</c>, otherwise null.</param>
    /// <param name="authorizationHeader">The <c>Authorization</c> header value.</param>
    /// <param name="publicKey">The public key pasted into the link's Incoming Authentication.</param>
    /// <param name="now">The fake server's clock.</param>
    public OAuth1VerificationResult Verify(
        string method, string url, string? formBody, string? authorizationHeader, RSA publicKey, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var pairs = OAuth1AuthorizationHeader.Parse(authorizationHeader) ?? [];
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
        {
            parameters.TryAdd(name, value);
        }

        var absent = RequiredParameters.Where(name => !parameters.ContainsKey(name)).ToArray();
        if (absent.Length > 0)
        {
            return OAuth1VerificationResult.Failure("parameter_absent", parameters,
                KeyValuePair.Create(OAuth1ProtocolParameter.ParametersAbsent, string.Join('&', absent)));
        }

        if (parameters[OAuth1ProtocolParameter.SignatureMethod] != OAuth1SignatureMethod.RsaSha1Name)
        {
            return OAuth1VerificationResult.Failure("signature_method_rejected", parameters);
        }

        if (parameters.TryGetValue(OAuth1ProtocolParameter.Version, out var version) && version != OAuth1Signer.ProtocolVersion)
        {
            return OAuth1VerificationResult.Failure("version_rejected", parameters, KeyValuePair.Create("oauth_acceptable_versions", "1.0-1.0"));
        }

        var nowSeconds = now.ToUnixTimeSeconds();
        var skew = (long)MaxClockSkew.TotalSeconds;
        if (!long.TryParse(parameters[OAuth1ProtocolParameter.Timestamp], NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return OAuth1VerificationResult.Failure("parameter_rejected", parameters,
                KeyValuePair.Create(OAuth1ProtocolParameter.ParametersRejected, OAuth1ProtocolParameter.Timestamp));
        }

        if (Math.Abs(timestamp - nowSeconds) > skew)
        {
            return OAuth1VerificationResult.Failure("timestamp_refused", parameters,
                KeyValuePair.Create(OAuth1ProtocolParameter.AcceptableTimestamps, $"{nowSeconds - skew}-{nowSeconds + skew}"));
        }

        // Like Bitbucket, the nonce is spent before the signature is checked.
        if (!TryUseNonce(parameters[OAuth1ProtocolParameter.ConsumerKey], parameters[OAuth1ProtocolParameter.Nonce], now))
        {
            return OAuth1VerificationResult.Failure("nonce_used", parameters);
        }

        var baseString = OAuth1SignatureBaseString.Create(method, new Uri(url, UriKind.Absolute), formBody, pairs);
        return OAuth1SignatureMethod.VerifyRsaSha1(baseString, parameters[OAuth1ProtocolParameter.Signature], publicKey)
            ? OAuth1VerificationResult.Success(parameters)
            : OAuth1VerificationResult.Failure("signature_invalid", parameters,
                KeyValuePair.Create("oauth_signature_base_string", baseString));
    }

    private bool TryUseNonce(string consumerKey, string nonce, DateTimeOffset now)
    {
        lock (gate)
        {
            foreach (var expired in usedNonces.Where(entry => now - entry.Value >= NonceLifetime).Select(entry => entry.Key).ToList())
            {
                usedNonces.Remove(expired);
            }

            return usedNonces.TryAdd((consumerKey, nonce), now);
        }
    }
}
