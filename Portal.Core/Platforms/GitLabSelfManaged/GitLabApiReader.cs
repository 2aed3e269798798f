using System.Text.Json;
using Portal.Core.OAuth;

namespace Portal.Core.Platforms.GitLabSelfManaged;

/// <summary>
/// Reads the signed-in user (<c>/api/v4/user</c>) and GitLab's version (<c>/api/v4/metadata</c>, before 15.2
/// <c>/api/v4/version</c>) with a user's access token, turning GitLab's refusals (docs/gitlab-protocol.md §5) into
/// <see cref="GitLabApiResult{T}"/>s whose message names the cause and the fix. The <see cref="HttpClient"/> must not
/// follow redirects.
/// </summary>
public sealed class GitLabApiReader(HttpClient http, TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? GitLabDiscovery.DefaultTimeout;

    /// <summary>The user the token belongs to.</summary>
    public Task<GitLabApiResult<GitLabUser>> ReadUserAsync(string normalizedBaseUrl, string accessToken, CancellationToken ct) =>
        ReadUserAsync(normalizedBaseUrl, BearerToken.Authorize(accessToken), ct);

    /// <summary>The user whose token <paramref name="authorize"/> signs requests with.</summary>
    public async Task<GitLabApiResult<GitLabUser>> ReadUserAsync(string normalizedBaseUrl, Func<HttpRequestMessage, Task> authorize, CancellationToken ct)
    {
        var (answer, failure) = await GetAsync(GitLabEndpoints.User(normalizedBaseUrl), authorize, ct);
        if (failure is not null)
        {
            return new(null, failure);
        }
        if (Refusal(answer!) is { } refused)
        {
            return new(null, refused);
        }
        try
        {
            return new(GitLabUser.Parse(answer!.Body), null);
        }
        catch (JsonException)
        {
            return GitLabApiResult<GitLabUser>.Fail(GitLabFailureKind.NotGitLab,
                $"GitLab answered {GitLabEndpoints.UserPath}, but not with a user's JSON (numeric id and username): check that no proxy rewrites /api/v4/.");
        }
    }

    /// <summary>GitLab's version: <c>/api/v4/metadata</c>, and <c>/api/v4/version</c> when that is GitLab's 404 (before 15.2).</summary>
    public Task<GitLabApiResult<GitLabVersion>> ReadVersionAsync(string normalizedBaseUrl, string accessToken, CancellationToken ct) =>
        ReadVersionAsync(normalizedBaseUrl, BearerToken.Authorize(accessToken), ct);

    /// <summary>GitLab's version, asked with the token <paramref name="authorize"/> signs requests with.</summary>
    public async Task<GitLabApiResult<GitLabVersion>> ReadVersionAsync(string normalizedBaseUrl, Func<HttpRequestMessage, Task> authorize, CancellationToken ct)
    {
        var (answer, failure) = await GetAsync(GitLabEndpoints.Metadata(normalizedBaseUrl), authorize, ct);
        if (failure is null && answer!.Status == 404 && !answer.LooksLikeHtml)
        {
            (answer, failure) = await GetAsync(GitLabEndpoints.Version(normalizedBaseUrl), authorize, ct);
        }
        if (failure is not null)
        {
            return new(null, failure);
        }
        if (Refusal(answer!) is { } refused)
        {
            return new(null, refused);
        }
        var path = answer!.RequestUri.AbsolutePath;
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            var root = document.RootElement;
            bool? enterprise = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("enterprise", out var e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : null;
            if (GitLabVersion.TryParse(root.StringProperty("version"), root.StringProperty("revision"), enterprise, out var version))
            {
                return new(version, null);
            }
            return GitLabApiResult<GitLabVersion>.Fail(GitLabFailureKind.NotGitLab,
                $"GitLab answered {path}, but its version \"{root.StringProperty("version")}\" could not be read: check that no proxy rewrites /api/v4/.");
        }
        catch (JsonException)
        {
            return GitLabApiResult<GitLabVersion>.Fail(GitLabFailureKind.NotGitLab,
                $"GitLab answered {path}, but not with valid JSON: check that no proxy rewrites /api/v4/.");
        }
    }

    private async Task<(GitLabHttpAnswer? Answer, GitLabFailure? Failure)> GetAsync(string url, Func<HttpRequestMessage, Task> authorize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(authorize);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{url}' is not an absolute http(s) URL: normalise the Base URL with BaseUrlNormalizer first.", nameof(url));
        }
        return await GitLabHttp.GetAsync(http, uri, authorize, _timeout, ct);
    }

    /// <summary>Every answer but a 2xx JSON one, as a failure; <c>null</c> for a 2xx JSON answer.</summary>
    internal static GitLabFailure? Refusal(GitLabHttpAnswer answer)
    {
        var path = answer.RequestUri.AbsolutePath;
        var (error, description, message) = ReadError(answer.Body);
        switch (answer.Status)
        {
            case >= 200 and <= 299 when answer.LooksLikeHtml:
                return GitLabHttp.LooksLikeSignInPage(answer.Body)
                    ? new(GitLabFailureKind.SignInPage, $"The server answered {path} with a sign-in page instead of GitLab's API: a proxy or single sign-on gateway asks for sign-in. Let /api/ through to GitLab without sign-in.")
                    : new(GitLabFailureKind.NotGitLab, $"The server answered {path} with a web page instead of GitLab's API: check that the Base URL is GitLab's address and that no proxy rewrites /api/.");
            case >= 200 and <= 299:
                return null;
            case >= 300 and <= 399:
                return new(answer.Location is { } target && GitLabHttp.LooksLikeSignInAddress(target) ? GitLabFailureKind.SignInPage : GitLabFailureKind.Redirect,
                    $"The server redirected {path} to {answer.Location?.AbsoluteUri ?? "an unnamed address"}; GitLab's API answers without redirects: check the Base URL and the proxy in front of GitLab.");
            case 401 when error == "invalid_token" && description?.Contains("expired", StringComparison.OrdinalIgnoreCase) == true:
                return new(GitLabFailureKind.Unauthorized, "GitLab says the access token has expired: sign in again.");
            case 401 when error == "invalid_token" && description?.Contains("revoked", StringComparison.OrdinalIgnoreCase) == true:
                return new(GitLabFailureKind.Unauthorized,
                    "GitLab says the access token was revoked (the user or a GitLab administrator withdrew the portal's access): sign in again to grant it anew.");
            case 401:
                return new(GitLabFailureKind.Unauthorized,
                    $"GitLab did not accept the access token at {path} ({description ?? message ?? answer.StatusText}), although GitLab had just issued it: " +
                    "a proxy in front of GitLab that drops the Authorization header on its way to /api/ (a common Apache or load-balancer setting) " +
                    "is the likeliest cause, or /api/ reaching another GitLab than /oauth/. Sign in again; if that keeps failing, let the proxy pass the " +
                    "Authorization header, and check that the Application ID and Secret belong to this GitLab.");
            case 403 when error == "insufficient_scope":
                return new(GitLabFailureKind.InsufficientScope,
                    $"GitLab refused {path} because the access token lacks the {GitLabEndpoints.Scope} scope: tick {GitLabEndpoints.Scope} on the portal's application in GitLab (Admin area → Applications → Edit, or the group's or user's Settings → Applications where it was created), save, and sign in again.");
            case 403 when message is null:
                return new(GitLabFailureKind.UnexpectedStatus,
                    $"The server answered {answer.StatusText} at {path} without GitLab's own message: a proxy, firewall or IP allow-list in front of GitLab probably refuses the portal's requests to /api/. Let the portal's address through to /api/v4/, then sign in again.");
            case 403:
                // GitLab's own text names what the person must do in GitLab first (accept its terms, change an expired
                // password, confirm the e-mail address), or that the account is blocked or deactivated.
                return new(GitLabFailureKind.Forbidden,
                    $"GitLab refused {path} ({message ?? answer.StatusText}). Open GitLab in a browser and sign in there: it asks for what is missing " +
                    "(accepting its terms of service, changing an expired password, confirming the e-mail address), then sign in to the portal again. " +
                    "If GitLab says the account is blocked or deactivated, ask a GitLab administrator.");
            case 404:
                // Only read with a token GitLab's /oauth/ just issued at the same Base URL, so its relative URL root is right.
                return new(GitLabFailureKind.NotFound,
                    $"GitLab answered 404 at {path}, although GitLab's sign-in at the same Base URL worked: a proxy in front of GitLab probably does not pass /api/v4/ on to GitLab. Let it through, then sign in again.");
            case 429:
                return new(GitLabFailureKind.ServerError, GitLabHttp.RateLimited(answer, path));
            case >= 500:
                return new(GitLabFailureKind.ServerError,
                    $"GitLab answered {answer.StatusText} at {path}: GitLab or its proxy has a problem. Check that GitLab has finished starting and look at its logs, then try again.");
            default:
                return new(GitLabFailureKind.UnexpectedStatus, $"GitLab answered {answer.StatusText} at {path}: check the Base URL and the proxy in front of GitLab.");
        }
    }

    /// <summary>GitLab's two error shapes: <c>{"error":…,"error_description":…}</c> (token problems) and <c>{"message":…}</c>.</summary>
    private static (string? Error, string? Description, string? Message) ReadError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return default;
            }
            return (root.StringProperty("error"), root.StringProperty("error_description"), root.StringProperty("message"));
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
