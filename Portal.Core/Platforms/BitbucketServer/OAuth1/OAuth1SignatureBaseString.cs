using System.Globalization;
using System.Text;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>The RFC 5849 section 3.4.1 signature base string and its parts.</summary>
public static class OAuth1SignatureBaseString
{
    /// <summary>
    /// Collects the parameters that are signed (section 3.4.1.3.1): the URL's query, a form-urlencoded body, and the
    /// protocol parameters. <c>oauth_signature</c> is dropped wherever it appears; <c>realm</c> only when it is a
    /// protocol (Authorization header) parameter, because in a query or body it is an ordinary parameter.
    /// </summary>
    /// <param name="url">The request URL; its query string is included.</param>
    /// <param name="formBody">The body when its content type is <c>application/x-www-form-urlencoded</c>; otherwise null.</param>
    /// <param name="protocolParameters">The <c>oauth_*</c> parameters (not encoded).</param>
    public static IReadOnlyList<KeyValuePair<string, string>> CollectParameters(
        Uri url, string? formBody, IEnumerable<KeyValuePair<string, string>> protocolParameters)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(protocolParameters);
        var query = OAuth1Form.Parse(url.GetComponents(UriComponents.Query, UriFormat.UriEscaped)).Pairs;
        var body = OAuth1Form.Parse(formBody).Pairs;
        var protocol = protocolParameters.Where(p => p.Key != "realm");
        return query.Concat(body).Concat(protocol).Where(p => p.Key != OAuth1ProtocolParameter.Signature).ToList();
    }

    /// <summary>
    /// Section 3.4.1.3.2: encodes every name and value, sorts by encoded name then encoded value (byte order), and joins
    /// them as <c>name=value</c> pairs with <c>&amp;</c>.
    /// </summary>
    public static string NormalizeParameters(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var encoded = parameters
            .Select(p => (Name: OAuth1Encoding.PercentEncode(p.Key), Value: OAuth1Encoding.PercentEncode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', encoded.Select(p => $"{p.Name}={p.Value}"));
    }

    /// <summary>
    /// Section 3.4.1.2: scheme and host in lowercase, the port only when it is not the scheme's default, the path as
    /// sent, and no query or fragment.
    /// </summary>
    public static string BaseStringUri(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException("The URL must be absolute.", nameof(url));
        }

        var builder = new StringBuilder()
            .Append(url.Scheme.ToLowerInvariant())
            .Append("://")
            .Append(url.Host.ToLowerInvariant());
        if (!url.IsDefaultPort)
        {
            builder.Append(':').Append(url.Port.ToString(CultureInfo.InvariantCulture));
        }

        var path = url.AbsolutePath;
        return builder.Append(path.Length == 0 ? "/" : path).ToString();
    }

    /// <summary>Section 3.4.1.1: <c>METHOD&amp;enc(base string URI)&amp;enc(normalized parameters)</c>.</summary>
    public static string Create(string httpMethod, Uri url, IEnumerable<KeyValuePair<string, string>> collectedParameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(httpMethod);
        return string.Join('&',
            httpMethod.ToUpperInvariant(),
            OAuth1Encoding.PercentEncode(BaseStringUri(url)),
            OAuth1Encoding.PercentEncode(NormalizeParameters(collectedParameters)));
    }

    /// <summary>Collects the parameters of a request (<see cref="CollectParameters"/>) and builds its base string.</summary>
    public static string Create(
        string httpMethod, Uri url, string? formBody, IEnumerable<KeyValuePair<string, string>> protocolParameters) =>
        Create(httpMethod, url, CollectParameters(url, formBody, protocolParameters));
}
