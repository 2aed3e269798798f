namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// An <c>application/x-www-form-urlencoded</c> string split into decoded name/value pairs, in order. Bitbucket answers
/// the token endpoints with such a body (served as <c>text/plain</c>), and query strings and form bodies are parsed
/// the same way for signing (RFC 5849 section 3.4.1.3.1).
/// </summary>
public sealed class OAuth1Form
{
    private OAuth1Form(IReadOnlyList<KeyValuePair<string, string>> pairs) => Pairs = pairs;

    /// <summary>The decoded pairs in their original order; names may repeat.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Pairs { get; }

    /// <summary>The first value named <paramref name="name"/>, or null when absent.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var pair in Pairs)
            {
                if (string.Equals(pair.Key, name, StringComparison.Ordinal))
                {
                    return pair.Value;
                }
            }

            return null;
        }
    }

    /// <summary>Parses <paramref name="text"/>; a name without <c>=</c> gets an empty value, empty segments are skipped.</summary>
    public static OAuth1Form Parse(string? text)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(text))
        {
            return new OAuth1Form(pairs);
        }

        foreach (var segment in text.Trim().Split('&'))
        {
            if (segment.Length == 0)
            {
                continue;
            }

            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? segment : segment[..equals];
            var value = equals < 0 ? "" : segment[(equals + 1)..];
            pairs.Add(new(OAuth1Encoding.FormDecode(name), OAuth1Encoding.FormDecode(value)));
        }

        return new OAuth1Form(pairs);
    }
}
