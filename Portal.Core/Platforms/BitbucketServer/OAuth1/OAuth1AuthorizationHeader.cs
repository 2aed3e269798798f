using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// The RFC 5849 section 3.5.1 <c>OAuth</c> authorization scheme: <c>OAuth realm="", name="enc(value)", ...</c>. Bitbucket
/// uses the same form in <c>WWW-Authenticate</c> to report an <c>oauth_problem</c>.
/// </summary>
public static partial class OAuth1AuthorizationHeader
{
    /// <summary>The authentication scheme name.</summary>
    public const string Scheme = "OAuth";

    /// <summary>Formats <c>OAuth realm="…", name="value", …</c> with every value percent-encoded, in the given order.</summary>
    public static string Format(IEnumerable<KeyValuePair<string, string>> protocolParameters, string realm = "")
    {
        ArgumentNullException.ThrowIfNull(protocolParameters);
        var builder = new StringBuilder(Scheme).Append(" realm=\"").Append(OAuth1Encoding.PercentEncode(realm)).Append('"');
        foreach (var (name, value) in protocolParameters)
        {
            builder.Append(", ").Append(OAuth1Encoding.PercentEncode(name))
                .Append("=\"").Append(OAuth1Encoding.PercentEncode(value)).Append('"');
        }

        return builder.ToString();
    }

    /// <summary>
    /// Parses a full header value (<c>OAuth a="1", b="2"</c>) into decoded pairs, <c>realm</c> included. Returns null
    /// when the scheme is not <c>OAuth</c>.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? Parse(string? headerValue)
    {
        if (string.IsNullOrWhiteSpace(headerValue))
        {
            return null;
        }

        var trimmed = headerValue.Trim();
        if (!trimmed.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || (trimmed.Length > Scheme.Length && !char.IsWhiteSpace(trimmed[Scheme.Length])))
        {
            return null;
        }

        return ParseParameters(trimmed[Scheme.Length..]);
    }

    /// <summary>Parses the parameter list after the scheme (<c>a="1", b="2"</c>) into decoded pairs.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseParameters(string? parameters)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrWhiteSpace(parameters))
        {
            return pairs;
        }

        foreach (Match match in ParameterPattern().Matches(parameters))
        {
            var value = match.Groups["quoted"].Success ? match.Groups["quoted"].Value : match.Groups["bare"].Value;
            pairs.Add(new(OAuth1Encoding.PercentDecode(match.Groups["name"].Value), OAuth1Encoding.PercentDecode(value)));
        }

        return pairs;
    }

    [GeneratedRegex("""(?<name>[A-Za-z0-9_.~%-]+)\s*=\s*(?:"(?<quoted>[^"]*)"|(?<bare>[^\s,"]*))""")]
    private static partial Regex ParameterPattern();
}
