using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Portal.Core.Security;

namespace Portal.Core.Integrations;

/// <summary>
/// Turns what an administrator typed as the server's base URL into the one form the portal stores and builds every
/// URL of the server from: <c>scheme://host[:port][/context-path]</c>, lower-case scheme and host, punycode for
/// international host names, no default port, no trailing slash, no query or fragment.
/// </summary>
public static partial class BaseUrlNormalizer
{
    /// <summary>The error for an empty input.</summary>
    public const string EmptyError = "Enter the base URL of your server, e.g. https://git.example.com";

    /// <summary>The warning for an http base URL; it concerns OAuth 2 only (see <see cref="BaseUrlWarnings"/>).</summary>
    public const string PlainHttpWarning = "The server's OAuth 2 provider requires an https base URL, so OAuth 2 sign-in will fail over http://: use https:// if the server offers it.";

    private const string Example = "https://git.example.com";

    // Top-level routes of code hosts' pages and APIs ("-" as in /-/settings); a pasted browser or API
    // address contains one, a context path or relative URL root doesn't.
    private static readonly string[] PageSegments = ["rest", "projects", "plugins", "dashboard", "login", "admin", "account", "users", "repos", "-", "api", "explore", "oauth"];

    /// <summary>Validates and normalises <paramref name="input"/>; never throws.</summary>
    public static BaseUrlNormalization Normalize(string? input)
    {
        var text = input?.Trim() ?? "";
        if (text.Length == 0)
        {
            return Fail(EmptyError);
        }

        var schemeMatch = SchemeRegex().Match(text);
        if (!schemeMatch.Success || HostAndPortRegex().IsMatch(schemeMatch.Groups["rest"].Value))
        {
            return MissingScheme(text);
        }

        var scheme = schemeMatch.Groups["scheme"].Value.ToLowerInvariant();
        var rest = schemeMatch.Groups["rest"].Value;
        if (scheme is not ("http" or "https"))
        {
            return Fail($"The scheme \"{scheme}:\" is not supported: the base URL is the address you open the server at in a browser and starts with https:// (or http://), e.g. {Example}");
        }

        if (!rest.StartsWith("//", StringComparison.Ordinal) || rest.StartsWith("///", StringComparison.Ordinal))
        {
            var afterSlashes = rest.TrimStart('/');
            return afterSlashes.Length == 0
                ? Fail(NoHostError(scheme))
                : Fail($"Write the scheme as \"{scheme}://\", with a colon and two slashes: {Suggest($"{scheme}://{afterSlashes}")}");
        }

        return NormalizeHierarchical(text, scheme, rest[2..]);
    }

    private static BaseUrlNormalization NormalizeHierarchical(string text, string scheme, string afterScheme)
    {
        var authorityEnd = afterScheme.IndexOfAny(['/', '?', '#', '\\']);
        var authority = authorityEnd < 0 ? afterScheme : afterScheme[..authorityEnd];
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            // Never echo the input here: the part before '@' is probably a password.
            return Fail($"Credentials must not be in the URL: remove the user name and password (the part up to and including \"@\") and enter only the address, e.g. {Example}. Users sign in through OAuth, never with a password in the base URL.");
        }
        if (authority.Length == 0 || authority.StartsWith(':'))
        {
            return Fail(NoHostError(scheme));
        }
        if (authority.Any(char.IsWhiteSpace))
        {
            return Fail($"The host name \"{authority}\" contains a space: remove it, e.g. {Example}.");
        }
        if (text.Any(char.IsWhiteSpace))
        {
            return Fail($"The base URL \"{text}\" contains a space: remove it; a context path has none, e.g. {Example}/scm.");
        }
        if (InvalidPort(authority) is { } port)
        {
            return Fail($"The port \"{port}\" is not valid: use a number from 1 to 65535, e.g. {Example}:7990.");
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return Fail($"\"{text}\" is not a valid URL: check it for typos; it should look like {Example} or {Example}/scm.");
        }
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && LinkLocalAddresses.IsRefused(address))
        {
            return Fail(LinkLocalAddresses.LiteralRefusal(address));
        }

        var host = uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.IdnHost}]" : uri.IdnHost;
        var origin = uri.IsDefaultPort
            ? $"{scheme}://{host}"
            : string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{uri.Port}");
        var path = uri.AbsolutePath.TrimEnd('/');

        List<string> warnings = [];
        if (scheme == "http")
        {
            warnings.Add(PlainHttpWarning);
        }
        if (PageRoutePrefix(path) is { } contextPath)
        {
            warnings.Add($"This looks like a page of the server, not its base URL: if the server's base URL is {origin}{contextPath}, enter that instead.");
        }

        return new BaseUrlNormalization(origin + path, null, warnings.Count == 0 ? null : string.Join(" ", warnings));
    }

    private static BaseUrlNormalization MissingScheme(string text)
    {
        var typo = SchemeWithoutColonRegex().Match(text);
        if (typo.Success)
        {
            var typedScheme = typo.Groups["scheme"].Value.ToLowerInvariant();
            return Fail($"Write the scheme as \"{typedScheme}://\", with a colon and two slashes: {Suggest($"{typedScheme}://{typo.Groups["rest"].Value}")}");
        }
        return Fail($"The base URL needs a scheme. Add the scheme: {Suggest("https://" + text.TrimStart('/'))}");
    }

    /// <summary>The normalised form of a corrected URL when it is valid, otherwise the correction as typed.</summary>
    private static string Suggest(string candidate) => Normalize(candidate).Url ?? candidate;

    private static string NoHostError(string scheme) =>
        $"The base URL has no host name: enter it after {scheme}://, e.g. {Example}.";

    private static string? InvalidPort(string authority)
    {
        // An IPv6 literal is full of colons; its port follows the closing bracket.
        var portStart = authority.StartsWith('[')
            ? authority.IndexOf("]:", StringComparison.Ordinal)
            : authority.LastIndexOf(':');
        if (portStart >= 0 && authority[portStart] == ']')
        {
            portStart++;
        }
        if (portStart < 0 || portStart == authority.Length - 1)
        {
            return null;
        }
        var port = authority[(portStart + 1)..];
        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535
            ? null
            : port;
    }

    /// <summary>The part of <paramref name="path"/> before a page route, or <c>null</c> when there is none.</summary>
    private static string? PageRoutePrefix(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var isPlugin = segment.Equals("plugins", StringComparison.OrdinalIgnoreCase);
            if (isPlugin && (i + 1 >= segments.Length || !segments[i + 1].Equals("servlet", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            if (PageSegments.Contains(segment, StringComparer.OrdinalIgnoreCase))
            {
                return i == 0 ? "" : "/" + string.Join('/', segments[..i]);
            }
        }
        return null;
    }

    private static BaseUrlNormalization Fail(string error) => new(null, error, null);

    [GeneratedRegex(@"^(?<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*):(?<rest>.*)$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex SchemeRegex();

    // "git.example.com:7990/x" parses as scheme "git.example.com"; a number after the colon means host:port.
    [GeneratedRegex(@"^\d+(?:[/?#].*)?$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex HostAndPortRegex();

    [GeneratedRegex(@"^(?<scheme>https?)/+(?<rest>.+)$", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SchemeWithoutColonRegex();
}
