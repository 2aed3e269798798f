using System.Text.RegularExpressions;

namespace Portal.Core.Connections;

/// <summary>Recognises sign-in pages that proxies, single sign-on gateways and 2FA plugins put in front of a server.</summary>
public static partial class HtmlPageSniffer
{
    /// <summary>
    /// Whether an answer is a web page rather than JSON: it starts with markup, or says it is HTML without starting as a
    /// JSON object (some servers label every string text/html).
    /// </summary>
    public static bool LooksLikePage(string? mediaType, string body) =>
        body.TrimStart().StartsWith('<') || ((mediaType ?? "").Contains("html", StringComparison.OrdinalIgnoreCase) && !body.TrimStart().StartsWith('{'));

    public static bool LooksLikeLoginPage(string html) =>
        PasswordInputRegex().IsMatch(html)
        || (TitleRegex().Match(html) is { Success: true } title && LoginWordsRegex().IsMatch(title.Groups["title"].Value))
        || FormTagRegex().Matches(html).Any(form => LoginWordsRegex().IsMatch(form.Value));

    public static bool LooksLikeLoginAddress(Uri uri) => LoginWordsRegex().IsMatch(uri.AbsolutePath) || uri.AbsolutePath.Contains("sso", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"<input\b[^>]*\btype\s*=\s*[""']?password", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordInputRegex();

    [GeneratedRegex(@"<title[^>]*>(?<title>[^<]*)</title>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TitleRegex();

    [GeneratedRegex(@"<form\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FormTagRegex();

    [GeneratedRegex(@"log[\s_-]?in|sign[\s_-]?in", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LoginWordsRegex();
}
