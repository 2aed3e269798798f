using Portal.Core.Connections;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Portal.Core.Integrations;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>Turns an HTTP answer from <c>application-properties</c> into a <see cref="BitbucketProbeResult"/>.</summary>
internal static class ProbeResponseClassifier
{
    private const string TwoFactorHint =
        "If the \"U2F & TOTP\" two-factor plugin is installed in Bitbucket, enable its OAuth whitelist (tick \"Enable OAuth whitelist\" in the plugin's settings); otherwise let the proxy or single sign-on gateway pass /rest/ through without sign-in.";

    public static BitbucketProbeResult Classify(string baseUrl, Uri requestUri, HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        var path = requestUri.AbsolutePath;
        return status switch
        {
            >= 200 and <= 299 => ClassifyContent(response, body, path),
            >= 300 and <= 399 => Redirected(requestUri, response),
            404 => NotFound(baseUrl, path),
            401 or 403 when HtmlPageSniffer.LooksLikeLoginPage(body) => LoginPage(path),
            401 or 403 => BitbucketProbeResult.Fail(ProbeFailureKind.UnexpectedStatus,
                $"The server answered {StatusText(response)} at {path}, although Bitbucket answers there without sign-in: a proxy or single sign-on gateway probably guards it; let it pass /rest/ through without sign-in.",
                TwoFactorHint),
            407 => BitbucketProbeResult.Fail(ProbeFailureKind.UnexpectedStatus,
                $"A proxy between the portal and Bitbucket answered {StatusText(response)} at {path}: it wants the portal to sign in to it. Put the proxy's credentials in the portal's HTTPS_PROXY / HTTP_PROXY setting, or let the portal reach Bitbucket directly (add its host to NO_PROXY)."),
            429 => BitbucketProbeResult.Fail(ProbeFailureKind.UnexpectedStatus,
                $"Bitbucket answered {StatusText(response)} at {path}: it is limiting the requests from the portal's address. Wait a moment and choose Check again; if it persists, exempt the portal's address in Bitbucket > Administration > Rate limiting."),
            >= 500 => BitbucketProbeResult.Fail(ProbeFailureKind.ServerError,
                $"Bitbucket answered {StatusText(response)} at {path}: the server or its proxy has a problem. Check that Bitbucket has finished starting and look at its and the proxy's logs, then try again."),
            _ => BitbucketProbeResult.Fail(ProbeFailureKind.UnexpectedStatus,
                $"The server answered {StatusText(response)} at {path}, where Bitbucket answers 200: check that the base URL points to Bitbucket.",
                requestUri.Scheme == Uri.UriSchemeHttp ? "If the server expects https, use https:// in the base URL." : null),
        };
    }

    private static BitbucketProbeResult ClassifyContent(HttpResponseMessage response, string body, string path)
    {
        if (HtmlPageSniffer.LooksLikePage(response.Content.Headers.ContentType?.MediaType, body))
        {
            return HtmlPageSniffer.LooksLikeLoginPage(body)
                ? LoginPage(path)
                : BitbucketProbeResult.Fail(ProbeFailureKind.OtherServer,
                    $"The server answered {path} with a web page instead of Bitbucket's REST API: the base URL probably points to a proxy or another web site. Enter the address of Bitbucket itself, including its context path.");
        }

        ApplicationProperties properties;
        try
        {
            properties = ApplicationProperties.Parse(body);
        }
        catch (JsonException)
        {
            return BitbucketProbeResult.Fail(ProbeFailureKind.OtherServer,
                $"The server answered {path}, but not with valid JSON, so it is not Bitbucket's REST API: check that the base URL points to Bitbucket and not to a proxy.");
        }

        if (properties.DisplayName != "Bitbucket")
        {
            var who = properties.DisplayName is { Length: > 0 } name ? $"as \"{name}\", not as Bitbucket" : "with JSON that is not Bitbucket's application properties";
            return BitbucketProbeResult.Fail(ProbeFailureKind.OtherServer,
                $"The server answered {path} {who}: check that the base URL is Bitbucket's address, not a proxy's or another application's.");
        }
        if (!properties.TryReadVersion(out var version))
        {
            return BitbucketProbeResult.Fail(ProbeFailureKind.OtherServer, (properties.Version ?? properties.BuildNumber) is not { } unreadable
                ? $"Bitbucket answered {path} without its version (no \"version\" or \"buildNumber\" field), so the portal cannot tell whether it supports OAuth 2: check that a proxy does not rewrite {path}."
                : $"Bitbucket answered, but its version \"{unreadable}\" could not be read: check that a proxy does not rewrite {path}.");
        }
        return new BitbucketProbeResult(version, null, $"Bitbucket {version}", null);
    }

    private static BitbucketProbeResult Redirected(Uri requestUri, HttpResponseMessage response)
    {
        if (response.Headers.Location is not { } location)
        {
            return BitbucketProbeResult.Fail(ProbeFailureKind.Redirect,
                $"The server answered {StatusText(response)} at {requestUri.AbsolutePath} without saying where to: check the proxy in front of Bitbucket.");
        }

        var target = location.IsAbsoluteUri ? location : new Uri(requestUri, location);
        var otherHost = !string.Equals(target.IdnHost, requestUri.IdnHost, StringComparison.OrdinalIgnoreCase);
        var suggestion = SuggestedBaseUrl(target);
        var fix = suggestion is not null
            ? $"If that is the same Bitbucket, use {suggestion} as the base URL."
            : $"Bitbucket answers {BitbucketVersionProbe.ApplicationPropertiesPath} without a redirect: check the base URL, or let the proxy or single sign-on gateway pass /rest/ through.";
        string? hint = null;
        if (otherHost)
        {
            hint = $"The redirect leads to another host ({target.IdnHost}); the portal never follows it.";
        }
        else if (HtmlPageSniffer.LooksLikeLoginAddress(target))
        {
            hint = TwoFactorHint;
        }
        return BitbucketProbeResult.Fail(ProbeFailureKind.Redirect,
            $"The server redirected {requestUri.AbsolutePath} to {target.AbsoluteUri}; the portal does not follow redirects. {fix}",
            hint);
    }

    /// <summary>The base URL implied by a redirect to the same resource elsewhere, or <c>null</c>.</summary>
    private static string? SuggestedBaseUrl(Uri target)
    {
        var path = target.AbsolutePath;
        if (!path.EndsWith(BitbucketVersionProbe.ApplicationPropertiesPath, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var candidate = target.GetLeftPart(UriPartial.Authority) + path[..^BitbucketVersionProbe.ApplicationPropertiesPath.Length];
        return BaseUrlNormalizer.Normalize(candidate).Url;
    }

    private static BitbucketProbeResult NotFound(string baseUrl, string path)
    {
        var contextPath = new Uri(baseUrl).AbsolutePath.TrimEnd('/');
        var question = contextPath.Length == 0
            ? "is the context path (for example /bitbucket) part of the base URL?"
            : $"is {contextPath} the right context path, and is this Bitbucket's address?";
        return BitbucketProbeResult.Fail(ProbeFailureKind.NotFound, $"Bitbucket answered 404 at {path}: {question}");
    }

    private static BitbucketProbeResult LoginPage(string path) =>
        BitbucketProbeResult.Fail(ProbeFailureKind.LoginPage,
            $"The server answered {path} with a login page instead of Bitbucket's REST API: a proxy, single sign-on gateway or plugin asks for sign-in where Bitbucket needs none. Let /rest/ through without sign-in.",
            TwoFactorHint);

    internal static string StatusText(HttpResponseMessage response)
    {
        var reason = string.IsNullOrWhiteSpace(response.ReasonPhrase)
            ? Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase((int)response.StatusCode)
            : response.ReasonPhrase;
        return string.Create(CultureInfo.InvariantCulture, $"{(int)response.StatusCode} {reason}").TrimEnd();
    }
}
