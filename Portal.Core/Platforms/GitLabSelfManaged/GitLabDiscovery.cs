using System.Text.Json;
using Portal.Core.Integrations;

namespace Portal.Core.Platforms.GitLabSelfManaged;

/// <summary>
/// Detects GitLab at a Base URL by reading its anonymous OpenID Connect discovery document
/// (<c>{base}/.well-known/openid-configuration</c>) and checking that its issuer is the Base URL. Every expected
/// failure (DNS, refused, timeout, TLS, 404, redirect, sign-in page, other content, issuer mismatch) becomes a
/// <see cref="GitLabDiscoveryResult"/> whose message names the cause and the fix. The <see cref="HttpClient"/> must not
/// follow redirects: a redirect is reported, not followed.
/// </summary>
public sealed class GitLabDiscovery(HttpClient http, TimeSpan? timeout = null)
{
    private static readonly TimeSpan ApiFallbackTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How long the portal waits for GitLab when none is given.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _timeout = timeout ?? DefaultTimeout;

    /// <summary>
    /// Reads the discovery document of <paramref name="normalizedBaseUrl"/> (see <see cref="BaseUrlNormalizer"/>). Throws
    /// only for a Base URL that is not absolute http(s) and when <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<GitLabDiscoveryResult> DiscoverAsync(string normalizedBaseUrl, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(normalizedBaseUrl);
        var baseUrl = normalizedBaseUrl.TrimEnd('/');
        if (!Uri.TryCreate(GitLabEndpoints.Discovery(baseUrl), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{normalizedBaseUrl}' is not an absolute http(s) URL: normalise the Base URL with BaseUrlNormalizer first.", nameof(normalizedBaseUrl));
        }

        var (answer, failure) = await GitLabHttp.GetAsync(http, uri, authorize: null, _timeout, ct);
        if (failure is not null)
        {
            return new GitLabDiscoveryResult(null, failure);
        }
        var discovered = Classify(baseUrl, answer!);
        return discovered.Failure?.Kind is GitLabFailureKind.NotFound or GitLabFailureKind.UnexpectedStatus
            ? await RecogniseByApiAsync(baseUrl, discovered, answer!, ct)
            : discovered;
    }

    /// <summary>
    /// A proxy that refuses /.well-known/ (404, 403) while letting /oauth/ and /api/ through, or a GitLab-compatible server
    /// without OpenID Connect discovery, still answers GitLab's API: anonymously <c>/api/v4/version</c> is GitLab's own 401 JSON (or the version itself).
    /// Sign-in needs only GitLab's fixed /oauth/ endpoints, so that is enough; what the document would have checked (the
    /// issuer) is left to the first sign-in. Anything else keeps the discovery's own failure, which names its cause.
    /// </summary>
    private async Task<GitLabDiscoveryResult> RecogniseByApiAsync(string baseUrl, GitLabDiscoveryResult discovered, GitLabHttpAnswer discovery, CancellationToken ct)
    {
        // A short limit of its own: within a status check's overall limit, a slow /api/ must not hide the discovery's failure.
        var (answer, failure) = await GitLabHttp.GetAsync(http, new Uri(GitLabEndpoints.Version(baseUrl)), authorize: null, _timeout < ApiFallbackTimeout ? _timeout : ApiFallbackTimeout, ct);
        if (failure is not null || !IsGitLabApiAnswer(answer!))
        {
            return discovered;
        }
        var document = new GitLabDiscoveryDocument
        {
            Issuer = baseUrl,
            AuthorizationEndpoint = GitLabEndpoints.Authorize(baseUrl),
            TokenEndpoint = GitLabEndpoints.Token(baseUrl),
        };
        return new GitLabDiscoveryResult(document, null) { DiscoveryProblem = $"{discovery.RequestUri.AbsolutePath} answered {discovery.StatusText}" };
    }

    private static bool IsGitLabApiAnswer(GitLabHttpAnswer answer)
    {
        if (answer.LooksLikeHtml || !answer.MediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            var root = document.RootElement;
            return answer.Status switch
            {
                401 => root.StringProperty("message") == "401 Unauthorized",
                200 => GitLabVersion.TryParse(root.StringProperty("version"), root.StringProperty("revision"), null, out _),
                _ => false,
            };
        }
        catch (JsonException)
        {
            return false;
        }
    }

    internal static GitLabDiscoveryResult Classify(string baseUrl, GitLabHttpAnswer answer)
    {
        var path = answer.RequestUri.AbsolutePath;
        return answer.Status switch
        {
            >= 200 and <= 299 => ClassifyContent(baseUrl, answer, path),
            >= 300 and <= 399 => Redirected(answer),
            404 => NotFound(baseUrl, path),
            401 or 403 when answer.LooksLikeHtml && GitLabHttp.LooksLikeSignInPage(answer.Body) => SignInPage(path),
            429 => GitLabDiscoveryResult.Fail(GitLabFailureKind.ServerError, GitLabHttp.RateLimited(answer, path)),
            >= 500 => GitLabDiscoveryResult.Fail(GitLabFailureKind.ServerError,
                $"GitLab answered {answer.StatusText} at {path}: GitLab or its proxy has a problem. Check that GitLab has finished starting (gitlab-ctl status) and look at its logs, then try again.",
                answer.Status is 502 or 503 ? "GitLab's nginx answers 502 while GitLab is still starting; that can take a few minutes." : null),
            _ => GitLabDiscoveryResult.Fail(GitLabFailureKind.UnexpectedStatus,
                $"The server answered {answer.StatusText} at {path}, where GitLab answers without sign-in: check that the Base URL is GitLab's address and that no proxy guards {GitLabEndpoints.DiscoveryPath}."),
        };
    }

    private static GitLabDiscoveryResult ClassifyContent(string baseUrl, GitLabHttpAnswer answer, string path)
    {
        if (answer.LooksLikeHtml)
        {
            return GitLabHttp.LooksLikeSignInPage(answer.Body)
                ? SignInPage(path)
                : GitLabDiscoveryResult.Fail(GitLabFailureKind.NotGitLab,
                    $"The server answered {path} with a web page instead of GitLab's discovery document: the Base URL probably points to a proxy or another web site. Enter GitLab's own address, including its relative URL root (for example https://gitlab.example.com/gitlab).");
        }

        GitLabDiscoveryDocument document;
        try
        {
            document = GitLabDiscoveryDocument.Parse(answer.Body);
        }
        catch (JsonException)
        {
            return NotADiscoveryDocument(path);
        }
        if (string.IsNullOrWhiteSpace(document.Issuer) || string.IsNullOrWhiteSpace(document.AuthorizationEndpoint) || string.IsNullOrWhiteSpace(document.TokenEndpoint))
        {
            return NotADiscoveryDocument(path);
        }
        if (!SameUrl(document.Issuer, baseUrl))
        {
            var issuer = document.Issuer.TrimEnd('/');
            return GitLabDiscoveryResult.Fail(GitLabFailureKind.IssuerMismatch,
                $"GitLab answered, but it calls itself {issuer}, not {baseUrl}: the Base URL must be exactly {issuer}.",
                $"If {issuer} is not how the portal's users and the portal reach GitLab, GitLab's external_url (in /etc/gitlab/gitlab.rb) is wrong: fix it there and run gitlab-ctl reconfigure.");
        }
        return new GitLabDiscoveryResult(document, null);
    }

    private static GitLabDiscoveryResult NotADiscoveryDocument(string path) =>
        GitLabDiscoveryResult.Fail(GitLabFailureKind.NotGitLab,
            $"The server answered {path}, but not with GitLab's OpenID Connect discovery document: check that the Base URL points to GitLab and that no proxy rewrites /.well-known/.");

    private static GitLabDiscoveryResult Redirected(GitLabHttpAnswer answer)
    {
        var path = answer.RequestUri.AbsolutePath;
        if (answer.Location is not { } target)
        {
            return GitLabDiscoveryResult.Fail(GitLabFailureKind.Redirect,
                $"The server answered {answer.StatusText} at {path} without saying where to: check the proxy in front of GitLab.");
        }
        string? hint = null;
        if (!string.Equals(target.IdnHost, answer.RequestUri.IdnHost, StringComparison.OrdinalIgnoreCase))
        {
            hint = $"The redirect leads to another host ({target.IdnHost}); the portal never follows it.";
        }
        if (GitLabRootFromItsSignInPage(answer.RequestUri, target) is { } root)
        {
            return GitLabDiscoveryResult.Fail(GitLabFailureKind.Redirect,
                $"The server redirected {path} to GitLab's sign-in page ({target.AbsoluteUri}). GitLab serves its discovery document without " +
                "sign-in and sends addresses it does not know there, so the Base URL is not GitLab's root (it may be a group's or project's " +
                $"address, or have a wrong relative URL root): GitLab appears to live at {root}. Use that as the Base URL.",
                hint);
        }
        if (GitLabHttp.LooksLikeSignInAddress(target))
        {
            return GitLabDiscoveryResult.Fail(GitLabFailureKind.SignInPage,
                $"The server redirected {path} to a sign-in page ({target.AbsoluteUri}), but GitLab serves its discovery document without sign-in: a proxy or single sign-on gateway in front of GitLab asks for it. Let /.well-known/, /oauth/ and /api/ through without sign-in.",
                hint);
        }
        var suggestion = target.AbsolutePath.EndsWith(GitLabEndpoints.DiscoveryPath, StringComparison.Ordinal)
            ? BaseUrlNormalizer.Normalize(target.GetLeftPart(UriPartial.Authority) + target.AbsolutePath[..^GitLabEndpoints.DiscoveryPath.Length]).Url
            : null;
        var fix = suggestion is not null
            ? $"If that is the same GitLab, use {suggestion} as the Base URL."
            : $"GitLab answers {GitLabEndpoints.DiscoveryPath} without a redirect: check the Base URL and its relative URL root.";
        return GitLabDiscoveryResult.Fail(GitLabFailureKind.Redirect,
            $"The server redirected {path} to {target.AbsoluteUri}; the portal does not follow redirects. {fix}", hint);
    }

    /// <summary>
    /// GitLab's root, when <paramref name="target"/> is GitLab's own sign-in page on the same server but not under the
    /// requested base URL; null otherwise (a sign-in page under the base URL is a proxy's or gateway's doing).
    /// </summary>
    private static string? GitLabRootFromItsSignInPage(Uri requested, Uri target)
    {
        const string signInPath = "/users/sign_in";
        if (!string.Equals(target.IdnHost, requested.IdnHost, StringComparison.OrdinalIgnoreCase) || target.Port != requested.Port
            || !target.AbsolutePath.EndsWith(signInPath, StringComparison.Ordinal)
            || !requested.AbsolutePath.EndsWith(GitLabEndpoints.DiscoveryPath, StringComparison.Ordinal))
        {
            return null;
        }
        var root = BaseUrlNormalizer.Normalize(target.GetLeftPart(UriPartial.Authority) + target.AbsolutePath[..^signInPath.Length]).Url;
        var requestedBase = BaseUrlNormalizer.Normalize(requested.GetLeftPart(UriPartial.Authority) + requested.AbsolutePath[..^GitLabEndpoints.DiscoveryPath.Length]).Url;
        return root is null || requestedBase is null || SameUrl(root, requestedBase) ? null : root;
    }

    private static GitLabDiscoveryResult NotFound(string baseUrl, string path)
    {
        var root = new Uri(baseUrl).AbsolutePath.TrimEnd('/');
        var question = root.Length == 0
            ? "check the relative URL root: if GitLab lives under a path such as /gitlab, it must be part of the Base URL."
            : $"check the relative URL root: is {root} right, and is this GitLab's address?";
        return GitLabDiscoveryResult.Fail(GitLabFailureKind.NotFound, $"No GitLab answers at {baseUrl} ({path} answered 404): {question}");
    }

    private static GitLabDiscoveryResult SignInPage(string path) =>
        GitLabDiscoveryResult.Fail(GitLabFailureKind.SignInPage,
            $"The server answered {path} with a sign-in page instead of GitLab's discovery document: a proxy or single sign-on gateway asks for sign-in where GitLab needs none. Let /.well-known/, /oauth/ and /api/ through without sign-in.");

    /// <summary>Scheme, host and port compared as URLs do (case-insensitive host, default ports), the path exactly, a trailing slash ignored.</summary>
    internal static bool SameUrl(string a, string b) =>
        Uri.TryCreate(a.TrimEnd('/'), UriKind.Absolute, out var x) && Uri.TryCreate(b.TrimEnd('/'), UriKind.Absolute, out var y)
        && string.Equals(x.Scheme, y.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(x.IdnHost, y.IdnHost, StringComparison.OrdinalIgnoreCase)
        && x.Port == y.Port
        && string.Equals(x.AbsolutePath.TrimEnd('/'), y.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal);
}
