using Portal.Core.Connections;
using System.Globalization;
using System.Text.Json;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>
/// Turns Bitbucket's answers about its OAuth 2 provider into an <see cref="OAuth2ProviderCheck"/>: the metadata document
/// first (its issuer and endpoints must start with the integration's base URL), then, when that is absent, the
/// anonymous 401 of <c>/rest/oauth2/1.0/client</c>.
/// </summary>
internal static class OAuth2ProviderClassifier
{
    /// <summary>Where a Bitbucket administrator sets Bitbucket's own address.</summary>
    public const string BaseUrlSettingLocation = "Administration → Server settings → Base URL";

    private const string LetThrough = "Let /rest/oauth2/ through to Bitbucket without sign-in.";

    private const string GatewayHint =
        "Single sign-on gateways that let /rest/api/ through must also let /rest/oauth2/ through: the portal's token request goes there without a browser session, so sign-in fails too.";

    public static OAuth2ProviderCheck FromMetadata(string baseUrl, Uri requestUri, HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        var path = requestUri.AbsolutePath;
        return status switch
        {
            >= 200 and <= 299 when LooksLikeHtml(response, body) => HtmlInstead(path, body),
            >= 200 and <= 299 => ClassifyMetadata(baseUrl, path, body),
            >= 300 and <= 399 => Redirected(requestUri, response),
            401 or 403 => Blocked(
                $"The server answered {StatusText(response)} to an anonymous request for {path}, which Bitbucket serves to anyone: a proxy, single sign-on gateway or plugin is in the way, not a missing OAuth 2 provider. {LetThrough}",
                GatewayHint),
            >= 500 => ServerError(path, response),
            // Bitbucket's OAuth 2 provider refuses to work without https ("no https", HTTP 400). Still a failure: the
            // metadata could not be read, and sign-in fails the same way.
            400 when requestUri.Scheme == Uri.UriSchemeHttp && body.Contains("no https", StringComparison.OrdinalIgnoreCase) => new OAuth2ProviderCheck(OAuth2ProviderFinding.Blocked,
                $"The server answered {StatusText(response)} at {path}, where Bitbucket answers with its OAuth 2 metadata. Its answer says \"no https\": Bitbucket's OAuth 2 provider refuses to work over plain http, and it accepts a sign-in only when Bitbucket's base URL setting is https and the request arrives over https, and otherwise answers \"no https\" (HTTP 400). Serve Bitbucket over https, change {BaseUrlSettingLocation} in Bitbucket to the https address, and use that address as the base URL here. If Bitbucket is already served over https behind a proxy, the proxy must tell it so (X-Forwarded-Proto: https, or the connector's secure=\"true\" and scheme=\"https\").",
                PlainHttpHint, null),
            _ => Blocked(
                $"The server answered {StatusText(response)} at {path}, where Bitbucket answers with its OAuth 2 metadata: a proxy or plugin is in the way, not a missing OAuth 2 provider. {LetThrough}"),
        };
    }

    private const string PlainHttpHint =
        "Only a Bitbucket started with the system property atlassian.oauth2.provider.skip.base.url.https.requirement=true accepts OAuth 2 over http, and then sign-in codes and tokens travel unencrypted.";

    /// <summary>An answer that says it is compressed but cannot be decompressed: something between the portal and Bitbucket damaged it.</summary>
    public static OAuth2ProviderCheck DamagedCompression(Uri requestUri) => Blocked(
        $"{ConnectionText.DamagedCompression(requestUri, "Bitbucket")}, then check again.");

    /// <summary>The fallback after a 404 for the metadata: <c>/rest/oauth2/1.0/client</c> answers 401 to anonymous callers when the provider is installed.</summary>
    public static OAuth2ProviderCheck FromClient(string baseUrl, Uri metadataUri, Uri requestUri, HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        var path = requestUri.AbsolutePath;
        return status switch
        {
            401 => new OAuth2ProviderCheck(OAuth2ProviderFinding.InstalledWithoutMetadata,
                $"An anonymous request to {path} answered 401, so Bitbucket's OAuth 2 provider is installed. This Bitbucket does not publish {metadataUri.AbsolutePath} (404; older versions lack it), so the portal could not compare Bitbucket's base URL setting with this base URL.",
                $"If sign-in fails at Bitbucket's consent step, check that {BaseUrlSettingLocation} in Bitbucket is exactly {baseUrl}.",
                null),
            404 => new OAuth2ProviderCheck(OAuth2ProviderFinding.Missing,
                $"Bitbucket answered 404 at {metadataUri.AbsolutePath} and at {path}, so its OAuth 2 provider is missing or disabled and sign-in through OAuth 2 cannot work: in Bitbucket's administration, open Manage apps, show the system apps and enable the OAuth 2 provider, or upgrade Bitbucket to 7.21 or later.",
                null, null),
            >= 200 and <= 299 when LooksLikeHtml(response, body) => HtmlInstead(path, body),
            >= 300 and <= 399 => Redirected(requestUri, response),
            >= 500 => ServerError(path, response),
            _ => Blocked(
                $"The server answered {StatusText(response)} to an anonymous request for {path}, where Bitbucket answers 401: a proxy, single sign-on gateway or plugin is in the way, not a missing OAuth 2 provider. {LetThrough}",
                GatewayHint),
        };
    }

    private static OAuth2ProviderCheck ClassifyMetadata(string baseUrl, string path, string body)
    {
        OAuth2ProviderMetadata metadata;
        try
        {
            metadata = OAuth2ProviderMetadata.Parse(body);
        }
        catch (JsonException)
        {
            return Blocked($"The server answered {path} with something that is not JSON, so not with Bitbucket's OAuth 2 metadata: a proxy or plugin answers in Bitbucket's place. {LetThrough}");
        }
        if (!IsAbsoluteHttp(metadata.Issuer, out var issuer))
        {
            return Blocked($"The server answered {path} with JSON that is not Bitbucket's OAuth 2 metadata (it names no issuer): a proxy or plugin answers in Bitbucket's place. {LetThrough}");
        }

        var expected = new Uri(baseUrl);
        var candidates = new (string Label, string? Url, string? Suffix)[]
        {
            ("base URL setting", metadata.Issuer, null),
            ("authorization endpoint", metadata.AuthorizationEndpoint, "/rest/oauth2/latest/authorize"),
            ("token endpoint", metadata.TokenEndpoint, "/rest/oauth2/latest/token"),
        };
        foreach (var (label, url, suffix) in candidates)
        {
            if (url is null)
            {
                continue;
            }
            var differences = IsAbsoluteHttp(url, out var actual) ? Differences(expected, actual, suffix) : ["not an absolute http(s) URL"];
            if (differences.Count > 0)
            {
                return Mismatch(baseUrl, expected, issuer, label, url, differences);
            }
        }

        if (issuer.Scheme == Uri.UriSchemeHttp)
        {
            return new OAuth2ProviderCheck(OAuth2ProviderFinding.PlainHttp,
                $"Bitbucket's OAuth 2 provider answers, but Bitbucket's base URL setting is {metadata.Issuer}, plain http: the provider accepts a sign-in only when that setting is https and the request arrives over https, and otherwise answers \"no https\" (HTTP 400) on its consent page. Serve Bitbucket over https, change {BaseUrlSettingLocation} in Bitbucket to the https address, and use that address as the base URL here.",
                PlainHttpHint,
                metadata.Issuer);
        }
        return new OAuth2ProviderCheck(OAuth2ProviderFinding.Ready,
            $"Bitbucket's OAuth 2 provider answers, and its metadata names {metadata.Issuer} as Bitbucket's base URL, the same as this one.",
            null, metadata.Issuer);
    }

    private static OAuth2ProviderCheck Mismatch(string baseUrl, Uri expected, Uri issuer, string label, string url, IReadOnlyList<string> differences)
    {
        var what = label == "base URL setting"
            ? $"Bitbucket's base URL setting is {url}"
            : $"Bitbucket's OAuth 2 metadata names {url} as its {label}";
        var setting = issuer.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var fix = label != "base URL setting"
            ? $"Check {BaseUrlSettingLocation} in Bitbucket (it must be {baseUrl}), and that no proxy rewrites Bitbucket's answers."
            : expected.Scheme == Uri.UriSchemeHttp && issuer.Scheme == Uri.UriSchemeHttps
            ? $"Use {setting} as the base URL here: Bitbucket's OAuth 2 provider works only over https. If Bitbucket's setting is the wrong one, correct it in Bitbucket under {BaseUrlSettingLocation}."
            : $"Correct Bitbucket's setting in Bitbucket under {BaseUrlSettingLocation} (enter {baseUrl}), or, if {setting} is the address people open Bitbucket at, use that as the base URL here.";
        return new OAuth2ProviderCheck(OAuth2ProviderFinding.BaseUrlMismatch,
            $"{what}, but this integration's base URL is {baseUrl}: {string.Join(", ", differences)}. Bitbucket builds its sign-in pages from its own setting and accepts the consent step only from there, so sign-in through {baseUrl} fails at the consent step. {fix}",
            "Bitbucket's base URL setting must be the address people open Bitbucket at, and the portal's base URL must be the same.",
            setting);
    }

    /// <summary>
    /// How <paramref name="actual"/> differs from <paramref name="expectedBase"/>: scheme, host, port and context path.
    /// For an endpoint, <paramref name="endpointSuffix"/> is the path Bitbucket appends to its base URL.
    /// </summary>
    internal static IReadOnlyList<string> Differences(Uri expectedBase, Uri actual, string? endpointSuffix)
    {
        var differences = new List<string>();
        if (!string.Equals(actual.Scheme, expectedBase.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            differences.Add($"{actual.Scheme}:// instead of {expectedBase.Scheme}://");
        }
        if (!string.Equals(actual.IdnHost, expectedBase.IdnHost, StringComparison.OrdinalIgnoreCase))
        {
            differences.Add($"the host {actual.IdnHost} instead of {expectedBase.IdnHost}");
        }
        if (actual.Port != expectedBase.Port && !(actual.IsDefaultPort && expectedBase.IsDefaultPort))
        {
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"port {actual.Port} instead of {expectedBase.Port}"));
        }

        var expectedContext = expectedBase.AbsolutePath.TrimEnd('/');
        var actualPath = actual.AbsolutePath.TrimEnd('/');
        string actualContext;
        if (endpointSuffix is null)
        {
            actualContext = actualPath;
        }
        else if (actualPath.EndsWith(endpointSuffix, StringComparison.Ordinal))
        {
            actualContext = actualPath[..^endpointSuffix.Length];
        }
        else if (endpointSuffix.Replace("/latest/", "/1.0/", StringComparison.Ordinal) is var versioned && actualPath.EndsWith(versioned, StringComparison.Ordinal))
        {
            // "latest" is an alias of the REST API's version 1.0: either reaches the same endpoint.
            actualContext = actualPath[..^versioned.Length];
        }
        else
        {
            differences.Add($"the path {actual.AbsolutePath} instead of {expectedContext}{endpointSuffix}");
            return differences;
        }
        if (!string.Equals(actualContext, expectedContext, StringComparison.Ordinal))
        {
            differences.Add((actualContext.Length, expectedContext.Length) switch
            {
                (0, _) => $"no context path, where this base URL has {expectedContext}",
                (_, 0) => $"the context path {actualContext}, which this base URL lacks",
                _ => $"the context path {actualContext} instead of {expectedContext}",
            });
        }
        return differences;
    }

    private static OAuth2ProviderCheck Redirected(Uri requestUri, HttpResponseMessage response)
    {
        var target = response.Headers.Location is { } location
            ? (location.IsAbsoluteUri ? location : new Uri(requestUri, location)).AbsoluteUri
            : "nowhere (no Location header)";
        return Blocked(
            $"The server redirected {requestUri.AbsolutePath} to {target}, where Bitbucket answers directly: a proxy, single sign-on gateway or plugin is in the way, not a missing OAuth 2 provider, and the portal does not follow redirects. {LetThrough}",
            GatewayHint);
    }

    private static OAuth2ProviderCheck HtmlInstead(string path, string body)
    {
        var page = HtmlPageSniffer.LooksLikeLoginPage(body) ? "a login page" : "a web page";
        return Blocked(
            $"The server answered {path} with {page} instead of Bitbucket's JSON: a proxy, single sign-on gateway or plugin is in the way, not a missing OAuth 2 provider. {LetThrough}",
            GatewayHint);
    }

    private static OAuth2ProviderCheck ServerError(string path, HttpResponseMessage response) =>
        new(OAuth2ProviderFinding.ServerError,
            $"Bitbucket answered {StatusText(response)} at {path}: the server or its proxy has a problem. Look at Bitbucket's and the proxy's logs, then check again.",
            null, null);

    private static OAuth2ProviderCheck Blocked(string message, string? hint = null) =>
        new(OAuth2ProviderFinding.Blocked, message, hint, null);

    private static bool LooksLikeHtml(HttpResponseMessage response, string body) =>
        HtmlPageSniffer.LooksLikePage(response.Content.Headers.ContentType?.MediaType, body);

    private static bool IsAbsoluteHttp(string? url, out Uri uri)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp))
        {
            uri = parsed;
            return true;
        }
        uri = null!;
        return false;
    }

    private static string StatusText(HttpResponseMessage response) => ProbeResponseClassifier.StatusText(response);
}
