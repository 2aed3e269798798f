namespace Portal.Core.Platforms;

/// <summary>
/// One code-host platform (one folder below Platforms/), chosen by an integration's <c>Platform</c> key: how to find
/// its server from a Base URL, which OAuth versions it supports, what the administrator does on the server, where its
/// OAuth 2 provider lives, and who signed in. Everything else (sign-in, Verify, status, accounts) is the same for every
/// platform. Health checks run <see cref="DetectAsync"/> and <see cref="CheckOAuth2ProviderAsync"/> after the network
/// checks, so the wizard and the dashboard judge a server the same way.
/// </summary>
public interface IPlatform
{
    PlatformKind Kind { get; }

    /// <summary>A Base URL to show as an example, e.g. <c>https://bitbucket.example.com</c>.</summary>
    string ExampleBaseUrl { get; }

    /// <summary>
    /// Asks the server at <paramref name="normalizedBaseUrl"/> anonymously what it is; every expected failure is a result
    /// naming the cause and the fix. Throws only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task<ServerDetection> DetectAsync(string normalizedBaseUrl, CancellationToken cancellationToken);

    /// <summary>Checks anonymously that the server's OAuth 2 provider is there and names this base URL as its own.</summary>
    Task<OAuth2ProviderCheck> CheckOAuth2ProviderAsync(string normalizedBaseUrl, CancellationToken cancellationToken);

    /// <summary>Which OAuth version a server of <paramref name="serverVersion"/> calls for; <c>null</c> when the text is no version of this platform's.</summary>
    /// <param name="serverVersion">What detection found; <c>null</c> when the server does not tell anonymous callers.</param>
    OAuthCompatibility? AssessOAuth(string? serverVersion);

    /// <summary>Whether the server's OAuth 2 provider refuses plain http (the wizard then warns about an http Base URL).</summary>
    bool OAuth2NeedsHttps { get; }

    /// <summary>What the administrator does on the server to create the OAuth 2 application named <paramref name="applicationName"/>.</summary>
    ApplicationGuide GuideFor(string baseUrl, string applicationName);

    /// <summary>
    /// The platform's usual reasons why a verification's tab did not come back from the server (besides a redirect URL
    /// that differs, a closed tab or a refusal), marked like <see cref="ApplicationGuide.Steps"/>.
    /// </summary>
    IReadOnlyList<string> VerifyTimeoutCauses(string baseUrl);

    /// <summary>Why a Client ID or Client Secret cannot be what the server issued (copy mistakes), or <c>null</c>.</summary>
    string? CheckClientId(string clientId);

    /// <inheritdoc cref="CheckClientId"/>
    string? CheckClientSecret(string clientSecret);

    /// <summary>The OAuth 2 provider's endpoints for <paramref name="baseUrl"/>.</summary>
    OAuth2Endpoints OAuth2Endpoints(string baseUrl);

    /// <summary>Who the requests <paramref name="authorize"/> signs belong to (and, where the server tells only them, its version).</summary>
    Task<IdentityLookup> IdentifyAsync(string baseUrl, Func<HttpRequestMessage, Task> authorize, CancellationToken cancellationToken);

    /// <summary>A likely cause of a failed OAuth 2 sign-in that this base URL alone explains, for administrators; <c>null</c> if none.</summary>
    string? LikelySignInCause(string baseUrl);
}
