using System.Text.RegularExpressions;

namespace Portal.Core.Platforms.GitLabSelfManaged;

/// <summary>
/// GitLab Self-Managed (docs/gitlab-protocol.md): found through its anonymous OpenID Connect discovery document, whose
/// issuer must be the Base URL; OAuth 2 only; the user from <c>/api/v4/user</c> by numeric id; the version, which GitLab
/// tells only signed-in users, read with the user's token after sign-in.
/// </summary>
public sealed partial class GitLabSelfManagedPlatform(GitLabDiscovery discovery, GitLabApiReader api) : IPlatform
{
    /// <summary>The key stored in integrations made for GitLab Self-Managed.</summary>
    public static PlatformKind KindOf { get; } = new("gitlab-self-managed", "GitLab Self-Managed", new PlatformWording(
        "GitLab", "OAuth application", "GitLab's Admin area > Applications (or the group's or user's Settings > Applications where it was created)", $"the {GitLabEndpoints.Scope} scope", "GitLab's logs (gitlab-ctl tail)", "Authorize", "Application ID", "Secret"));

    private static readonly TimeSpan VersionReadTimeout = TimeSpan.FromSeconds(3);

    private static readonly OAuthCompatibility OAuth2Only =
        new(OAuthVersion.OAuth2, false, "GitLab signs users in with OAuth 2 (authorization code with PKCE).");

    public PlatformKind Kind => KindOf;

    public string ExampleBaseUrl => "https://gitlab.example.com";

    public bool OAuth2NeedsHttps => false;

    public async Task<ServerDetection> DetectAsync(string normalizedBaseUrl, CancellationToken cancellationToken)
    {
        var found = await discovery.DiscoverAsync(normalizedBaseUrl, cancellationToken);
        if (found.Failure is { } failure)
        {
            return ServerDetection.Fail(FailureKindOf(failure.Kind), failure.Message, failure.Hint) with { PresentedChain = failure.PresentedChain };
        }
        // GitLab tells its version only to signed-in users; the first sign-in records it on the integration.
        const string versionLater = "GitLab tells its version only after a sign-in; the integration shows it after the first one.";
        var hint = found.DiscoveryProblem is { } problem
            ? $"Recognised by GitLab's API at {new Uri(GitLabEndpoints.Version(normalizedBaseUrl)).AbsolutePath}: {problem}, a document sign-in does not need. {versionLater}"
            : versionLater;
        return new ServerDetection(null, null, "GitLab", hint)
        {
            Compatibility = OAuth2Only,
        };
    }

    public async Task<OAuth2ProviderCheck> CheckOAuth2ProviderAsync(string normalizedBaseUrl, CancellationToken cancellationToken)
    {
        var found = await discovery.DiscoverAsync(normalizedBaseUrl, cancellationToken);
        return found switch
        {
            { Found: true, DiscoveryProblem: { } problem } => new OAuth2ProviderCheck(OAuth2ProviderFinding.InstalledWithoutMetadata,
                $"GitLab's API answers at {GitLabEndpoints.Version(normalizedBaseUrl)}, but its OpenID Connect discovery document could not be read, so the portal could not compare GitLab's own address (its external_url) with the Base URL; sign-ins go to {GitLabEndpoints.Authorize(normalizedBaseUrl)}.",
                $"{problem}: if a proxy in front of GitLab refuses /.well-known/, letting it through lets the portal check GitLab's own address.", null),
            { Found: true, Document: { } document } => new OAuth2ProviderCheck(OAuth2ProviderFinding.Ready,
                $"GitLab's OpenID Connect discovery names {document.Issuer} as its own address; sign-ins go to {GitLabEndpoints.Authorize(normalizedBaseUrl)}.", null, document.Issuer),
            { Failure.Kind: GitLabFailureKind.IssuerMismatch } => new OAuth2ProviderCheck(OAuth2ProviderFinding.BaseUrlMismatch, found.Failure.Message, found.Failure.Hint, null),
            { Failure.Kind: GitLabFailureKind.NotFound } => new OAuth2ProviderCheck(OAuth2ProviderFinding.Missing, found.Failure.Message, found.Failure.Hint, null),
            { Failure.Kind: GitLabFailureKind.ServerError } => new OAuth2ProviderCheck(OAuth2ProviderFinding.ServerError, found.Failure.Message, found.Failure.Hint, null),
            { Failure.Kind: GitLabFailureKind.SignInPage or GitLabFailureKind.NotGitLab or GitLabFailureKind.Redirect or GitLabFailureKind.UnexpectedStatus } =>
                new OAuth2ProviderCheck(OAuth2ProviderFinding.Blocked, found.Failure.Message, found.Failure.Hint, null),
            _ => new OAuth2ProviderCheck(OAuth2ProviderFinding.Unreachable, found.Failure!.Message, found.Failure.Hint, null),
        };
    }

    public OAuthCompatibility? AssessOAuth(string? serverVersion) =>
        GitLabVersion.TryParse(serverVersion, null, null, out _) ? OAuth2Only : null;

    public ApplicationGuide GuideFor(string baseUrl, string applicationName) => new(
        Title: "Create the OAuth application in GitLab",
        AdminPageLabel: "GitLab's new application page (Admin area, Applications)",
        AdminPageUrl: GitLabEndpoints.NewAdminApplication(baseUrl),
        Steps:
        [
            "You need to be a GitLab administrator there. Without that, a group owner can create it under the group's **Settings > Applications**, or any user under **User settings > Applications**; it then belongs to that group or user.",
            $"Enter a **Name**, for example *{applicationName}*.",
            "Paste the **Callback URL / Redirect URL** from above into **Redirect URI**.",
            "Keep **Confidential** selected. Select **Trusted** only if your users should not see GitLab's Authorize page.",
            $"Under **Scopes**, select **{GitLabEndpoints.Scope}** only, then choose **Save application**.",
            "GitLab shows the **Application ID** and the **Secret**: copy them into the next step (GitLab shows the Secret only now; **Renew secret** makes a new one).",
        ],
        Scopes: [GitLabEndpoints.Scope],
        Notes: []);

    public IReadOnlyList<string> VerifyTimeoutCauses(string baseUrl) =>
    [
        $"**GitLab's external_url is not the Base URL.** GitLab builds its sign-in and Authorize pages from its external_url (/etc/gitlab/gitlab.rb); when that differs from {baseUrl}, the tab ends on another address. The Status page's OAuth 2 provider check names the address GitLab uses (when GitLab's discovery document can be read).",
        "**The tab waits on GitLab's sign-in page.** Sign in to GitLab there; GitLab then shows its Authorize page.",
        $"**The tab shows GitLab's \"An error has occurred\" page.** GitLab shows what is wrong with the application there instead of sending the browser back: " +
            $"\"The requested scope is invalid, unknown, or malformed\" means {GitLabEndpoints.Scope} is not selected on the application (edit it, select {GitLabEndpoints.Scope}, save); " +
            "\"Client authentication failed due to unknown client\" means the Application ID is not the application's (copy it again into the integration); " +
            "\"The redirect uri included is not valid\" means the application's Redirect URI differs from the Callback URL / Redirect URL. " +
            "A GitLab user whose e-mail address is not confirmed gets that page too, until they confirm it.",
    ];

    public string? CheckClientId(string clientId) =>
        HexOfLength64().IsMatch(clientId) ? null
            : "GitLab's Application IDs are 64 hexadecimal characters; this one is not. Check that you copied the Application ID, not the application's name.";

    public string? CheckClientSecret(string clientSecret) =>
        ApplicationSecret().IsMatch(clientSecret) ? null
            : "GitLab's application secrets are 64 hexadecimal characters, from GitLab 16 after the prefix gloas- (from GitLab 18 possibly after an instance prefix too); this one is not. Check that you copied the whole Secret.";

    public OAuth2Endpoints OAuth2Endpoints(string baseUrl) =>
        new(GitLabEndpoints.Authorize(baseUrl), GitLabEndpoints.Token(baseUrl), GitLabEndpoints.Scope);

    public async Task<IdentityLookup> IdentifyAsync(string baseUrl, Func<HttpRequestMessage, Task> authorize, CancellationToken cancellationToken)
    {
        var read = await api.ReadUserAsync(baseUrl, authorize, cancellationToken);
        if (read.Failure is { } failure)
        {
            return new IdentityLookup(null, failure.Message, Unreachable: IsNetwork(failure.Kind))
            {
                ServerTrouble = failure.Kind == GitLabFailureKind.ServerError,
                AccountRefused = failure.Kind == GitLabFailureKind.Forbidden,
            };
        }
        var user = read.Value!;
        // GitLab itself refuses blocked users; some editions and proxies still answer for them.
        if (user.State is { Length: > 0 } state && !string.Equals(state, "active", StringComparison.OrdinalIgnoreCase))
        {
            return new IdentityLookup(null,
                $"GitLab says the account @{user.Username} is {state}, not active, so the portal does not sign it in. Ask a GitLab administrator to activate it (Admin area → Users), then sign in again.")
            { AccountRefused = true };
        }
        var identity = new ExternalUser(user.Id, user.Username, user.Username, string.IsNullOrWhiteSpace(user.Name) ? user.Username : user.Name, user.Email, user.AvatarUrl);
        // The version is a courtesy for the integration's page: it may not delay the sign-in, nor fail it.
        using var versionTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        versionTimeout.CancelAfter(VersionReadTimeout);
        string? version = null;
        try
        {
            version = (await api.ReadVersionAsync(baseUrl, authorize, versionTimeout.Token)).Value?.Text;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Recorded at the next sign-in instead.
        }
        return new IdentityLookup(identity, null) { ServerVersion = version };
    }

    public string? LikelySignInCause(string baseUrl) => null;

    private static bool IsNetwork(GitLabFailureKind kind) => kind is GitLabFailureKind.DnsFailure or GitLabFailureKind.ConnectionRefused
        or GitLabFailureKind.Timeout or GitLabFailureKind.Tls or GitLabFailureKind.TlsUntrusted or GitLabFailureKind.Unreachable or GitLabFailureKind.AddressRefused;

    private static ProbeFailureKind FailureKindOf(GitLabFailureKind kind) => kind switch
    {
        GitLabFailureKind.DnsFailure => ProbeFailureKind.DnsFailure,
        GitLabFailureKind.ConnectionRefused => ProbeFailureKind.ConnectionRefused,
        GitLabFailureKind.Timeout => ProbeFailureKind.Timeout,
        GitLabFailureKind.Tls => ProbeFailureKind.TlsOther,
        GitLabFailureKind.TlsUntrusted => ProbeFailureKind.TlsUntrusted,
        GitLabFailureKind.AddressRefused => ProbeFailureKind.AddressRefused,
        GitLabFailureKind.NotFound => ProbeFailureKind.NotFound,
        GitLabFailureKind.Redirect => ProbeFailureKind.Redirect,
        GitLabFailureKind.SignInPage => ProbeFailureKind.LoginPage,
        GitLabFailureKind.NotGitLab => ProbeFailureKind.OtherServer,
        GitLabFailureKind.IssuerMismatch => ProbeFailureKind.BaseUrlMismatch,
        GitLabFailureKind.ServerError => ProbeFailureKind.ServerError,
        GitLabFailureKind.Unreachable => ProbeFailureKind.Unreachable,
        _ => ProbeFailureKind.UnexpectedStatus,
    };

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex HexOfLength64();

    [GeneratedRegex("^(?:[A-Za-z0-9_-]*gloas-)?[0-9a-f]{64}$")]
    private static partial Regex ApplicationSecret();
}
