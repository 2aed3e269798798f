namespace Portal.Core.Security;

/// <summary>
/// The rule for return URLs that came from a request (a query string, a form field) and that the portal will redirect
/// to: only a path on the portal itself, such as <c>/account?tab=1</c>. Everything a browser might read as another
/// host is refused: <c>//host</c>, <c>/\host</c>, <c>https:host</c>, their percent-encoded forms (<c>/%2F%2Fhost</c>,
/// also encoded twice), and tabs or line breaks anywhere (browsers drop them, so <c>/\t/host</c> becomes <c>//host</c>).
/// Non-ASCII is refused too: a <c>Location</c> header cannot carry it, so the redirect would fail with a server error.
/// </summary>
public static class LocalReturnUrl
{
    /// <summary>Longer return URLs are refused (the pending authorization stores at most this many characters).</summary>
    public const int MaxLength = 2048;

    // Encoded three times is already absurd; deeper nesting is refused rather than unwrapped forever.
    private const int MaxDecodingRounds = 3;

    /// <summary><paramref name="returnUrl"/> when <see cref="IsLocal"/> accepts it, otherwise <paramref name="fallback"/>.</summary>
    public static string Sanitize(string? returnUrl, string fallback = "/") => IsLocal(returnUrl) ? returnUrl! : fallback;

    /// <summary>Whether <paramref name="returnUrl"/> is a printable-ASCII path on the portal that no decoding turns into another host.</summary>
    public static bool IsLocal(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Length > MaxLength)
        {
            return false;
        }
        if (returnUrl.Any(c => c is < ' ' or > '~') || returnUrl.Contains('\\', StringComparison.Ordinal))
        {
            return false;
        }
        var decoded = returnUrl;
        for (var round = 0; round <= MaxDecodingRounds; round++)
        {
            if (!StartsAsLocalPath(decoded) || decoded.Any(char.IsControl))
            {
                return false;
            }
            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded)
            {
                return true;
            }
            decoded = next;
        }
        return false;
    }

    private static bool StartsAsLocalPath(string url) =>
        url.Length > 0 && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
