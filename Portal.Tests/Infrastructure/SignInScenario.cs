using Portal.Core.Platforms.BitbucketServer;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Accounts;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Core.Persistence;
using Portal.Core.Platforms;
using Portal.Core.Security;
using Portal.Tests.Fakes;
using Portal.Tests.Fakes.GitLab;

namespace Portal.Tests.Infrastructure;

/// <summary>How <see cref="SignInScenario.StartAsync"/> sets things up.</summary>
public sealed class SignInScenarioOptions
{
    /// <summary>Users that exist in Bitbucket; the first one is signed in to Bitbucket and approves.</summary>
    public IReadOnlyList<BitbucketFakeUser> Users { get; init; } = [BitbucketFakeUser.Ada];

    /// <summary>The redirect URLs the Bitbucket administrator typed into the link, given the portal's real callback URL.</summary>
    public Func<string, string[]> RegisteredRedirectUris { get; init; } = callback => [callback];

    /// <summary>What the portal administrator pasted as the Client Secret; null: the link's real secret.</summary>
    public string? PortalClientSecret { get; init; }

    /// <summary>OAuth 1: the Consumer Key the Bitbucket administrator entered in Incoming Authentication, given the integration's.</summary>
    public Func<string, string>? RegisteredConsumerKey { get; init; }

    /// <summary>OAuth 1: the Public Key the Bitbucket administrator pasted in Incoming Authentication, given the integration's.</summary>
    public Func<string, string>? RegisteredPublicKeyPem { get; init; }

    /// <summary>How the Bitbucket fake starts: on https by default, as Bitbucket's OAuth 2 provider requires (see SignInScenario.Https.cs).</summary>
    public BitbucketFakeOptions Fake { get; init; } = new() { Https = true };

    /// <summary>
    /// Trust the fake's CA (its test root CA, or its self-signed certificate) through the integration's own trusted
    /// certificate instead of Servers:TrustedCaFile.
    /// </summary>
    public bool TrustFakeThroughIntegration { get; init; }

    public Action<IServiceCollection>? ConfigurePortalServices { get; init; }

    /// <summary>Extra configuration for the portal, e.g. log levels.</summary>
    public IDictionary<string, string?>? PortalSettings { get; init; }

    /// <summary>The portal's database path; two scenarios given the same one share the database (and are not its owners).</summary>
    public string? DatabasePath { get; init; }

    /// <summary>The integration's name (scenarios sharing a database need different ones).</summary>
    public string IntegrationName { get; init; } = SignInScenario.IntegrationName;
}

/// <summary>An OAuth provider the portal's integration points at, with the client registered for the portal.</summary>
/// <param name="OAuth1">Set for an OAuth 1 integration: its Consumer Key and key pair (ClientId and ClientSecret are then empty).</param>
public sealed record ProviderRegistration(string BaseUrl, string ClientId, string ClientSecret, IAsyncDisposable Provider, OAuth1Keys? OAuth1 = null);

/// <summary>One pass through the browser sign-in: where the browser went and the portal's answer to the callback.</summary>
public sealed record SignInAttempt(Uri AuthorizeUrl, Uri CallbackUrl, HttpResponseMessage Response);

/// <summary>
/// A Bitbucket fake (or another OAuth provider) plus a real portal with an integration pointing at it, and a
/// browserless way to sign in: the portal's start endpoint, the provider's authorize endpoint and Bitbucket's consent
/// page (plain HttpClient, no redirects followed), then the portal's callback. Each step is also available on its own
/// so tests can tamper.
/// </summary>
public sealed partial class SignInScenario : IAsyncDisposable
{
    public const string IntegrationName = "Acme Bitbucket";

    /// <summary>The Bitbucket version of OAuth 1 scenarios: older than 7.21, so OAuth 2 links do not exist.</summary>
    public const string OAuth1BitbucketVersion = "7.17.0";

    private readonly ConcurrentQueue<(HttpMethod Method, Uri Uri, HttpStatusCode Status)> portalResponses = new();
    private readonly ConcurrentBag<IDisposable> disposables = [];
    private readonly HttpClient provider;

    private SignInScenario(PortalHost host, ShiftableTimeProvider clock, Guid integrationId, ProviderRegistration registration, BitbucketFake? fake)
    {
        Host = host;
        Clock = clock;
        IntegrationId = integrationId;
        Registration = registration;
        Fake = fake;
        provider = NewProviderClient(fake);
    }

    public PortalHost Host { get; }

    /// <summary>The portal's clock; advance it to let sign-ins expire.</summary>
    public ShiftableTimeProvider Clock { get; }

    public Guid IntegrationId { get; }

    public ProviderRegistration Registration { get; }

    /// <summary>The Bitbucket fake, when the scenario runs against it.</summary>
    public BitbucketFake? Fake { get; }

    /// <summary>The Bitbucket fake; fails for scenarios against another provider.</summary>
    public BitbucketFake Bitbucket => Fake ?? throw new InvalidOperationException("This scenario does not run against the Bitbucket fake.");

    /// <summary>The portal's Callback URL / Redirect URL for the integration.</summary>
    public string CallbackUrl => Portal.Core.Integrations.CallbackUrl.For(Host.BaseUrl, IntegrationId);

    /// <summary>Starts a Bitbucket fake and a portal, registers the portal at the fake and creates the integration.</summary>
    public static async Task<SignInScenario> StartAsync(SignInScenarioOptions? options = null)
    {
        options ??= new SignInScenarioOptions();
        var fake = await StartFakeAsync(options);
        return await StartWithProviderAsync(callback =>
        {
            var client = fake.RegisterClient(BitbucketOAuthClient.Create("Portal", options.RegisteredRedirectUris(callback)));
            return Task.FromResult(new ProviderRegistration(fake.BaseUrl, client.ClientId, options.PortalClientSecret ?? client.ClientSecret, fake));
        }, options.ConfigurePortalServices, fake, options.PortalSettings, IntegrationTrustFor(fake, options),
            integrationName: options.IntegrationName, databasePath: options.DatabasePath);
    }

    /// <summary>
    /// Starts a Bitbucket <see cref="OAuth1BitbucketVersion"/> fake and a portal with an OAuth 1 integration (fresh
    /// Consumer Key and RSA key pair), and registers the consumer at the fake as the Bitbucket administrator would, with
    /// <see cref="SignInScenarioOptions.RegisteredConsumerKey"/> and <see cref="SignInScenarioOptions.RegisteredPublicKeyPem"/>
    /// applied (to simulate typing mistakes).
    /// </summary>
    public static async Task<SignInScenario> StartOAuth1Async(SignInScenarioOptions? options = null)
    {
        options ??= new SignInScenarioOptions();
        var fake = await StartFakeAsync(options);
        fake.Version = OAuth1BitbucketVersion;
        var pair = OAuth1KeyPair.Generate();
        var keys = new OAuth1Keys(OAuth1ConsumerKey.Generate(), pair.PublicKeyPem, pair.PrivateKeyPem);
        return await StartWithProviderAsync(_ =>
        {
            fake.RegisterOAuth1Consumer(
                options.RegisteredConsumerKey?.Invoke(keys.ConsumerKey) ?? keys.ConsumerKey,
                options.RegisteredPublicKeyPem?.Invoke(keys.PublicKeyPem) ?? keys.PublicKeyPem);
            return Task.FromResult(new ProviderRegistration(fake.BaseUrl, "", "", fake, keys));
        }, options.ConfigurePortalServices, fake, options.PortalSettings, IntegrationTrustFor(fake, options));
    }

    private static async Task<BitbucketFake> StartFakeAsync(SignInScenarioOptions options)
    {
        var fake = await BitbucketFake.StartAsync(options.Fake);
        foreach (var user in options.Users)
        {
            fake.AddUser(user);
        }
        fake.ConsentingUser = options.Users.Count > 0 ? options.Users[0] : null;
        return fake;
    }

    /// <summary>Starts a portal whose integration points at the provider <paramref name="startProvider"/> starts for the given callback URL.</summary>
    public static async Task<SignInScenario> StartWithProviderAsync(Func<string, Task<ProviderRegistration>> startProvider,
        Action<IServiceCollection>? configurePortalServices = null, BitbucketFake? fake = null, IDictionary<string, string?>? portalSettings = null,
        string? integrationTrustedCaPem = null, string? platform = null, string integrationName = IntegrationName, string? databasePath = null)
    {
        var clock = new ShiftableTimeProvider();
        var settings = integrationTrustedCaPem is null ? TrustFakeCertificate(fake, portalSettings) : portalSettings;
        var host = new PortalHost(databasePath, settings: settings, configureServices: services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            configurePortalServices?.Invoke(services);
        });
        var integrationId = Guid.NewGuid();
        var registration = await startProvider(Portal.Core.Integrations.CallbackUrl.For(host.BaseUrl, integrationId));
        host.Start();
        await host.Services.CreateIntegrationAsync(registration.OAuth1 is { } keys
            ? new NewIntegration(integrationId, IntegrationName, BitbucketServerPlatform.KindOf.Key, registration.BaseUrl,
                OAuth1BitbucketVersion, OAuthVersion.OAuth1, "", "", keys, integrationTrustedCaPem)
            : platform is not null
                ? new NewIntegration(integrationId, integrationName, platform, registration.BaseUrl,
                    null, OAuthVersion.OAuth2, registration.ClientId, registration.ClientSecret, TrustedCaPem: integrationTrustedCaPem, ServerDetected: true)
                : new NewIntegration(integrationId, integrationName, BitbucketServerPlatform.KindOf.Key, registration.BaseUrl,
                    "8.9.1", OAuthVersion.OAuth2, registration.ClientId, registration.ClientSecret, TrustedCaPem: integrationTrustedCaPem));
        return new SignInScenario(host, clock, integrationId, registration, fake);
    }

    // ---- Browsers ---------------------------------------------------------------------------------------------------

    /// <summary>A browser for the portal: its own cookie jar, redirects not followed, every answer recorded.</summary>
    public ScenarioBrowser NewBrowser(CookieContainer? cookies = null) => NewBrowser(cookies ?? new CookieContainer(), useCookies: true);

    /// <summary>A client that sends only the Cookie headers the test sets, so many requests can carry the same cookies at once.</summary>
    public ScenarioBrowser NewCookielessClient() => NewBrowser(new CookieContainer(), useCookies: false);

    private ScenarioBrowser NewBrowser(CookieContainer cookies, bool useCookies)
    {
        Host.Start();
        var browser = new ScenarioBrowser(Host.BaseUrl, cookies, useCookies, portalResponses);
        disposables.Add(browser);
        return browser;
    }

    /// <summary>A browser that opened the one-time setup link, so it holds the setup cookie.</summary>
    public async Task<ScenarioBrowser> NewSetupBrowserAsync()
    {
        var browser = NewBrowser();
        var response = await browser.Http.GetAsync(new Uri(Host.SetupLink));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.NotNull(browser.Cookie("Portal.Auth"));
        return browser;
    }

    // ---- The steps --------------------------------------------------------------------------------------------------

    /// <summary>GET /signin/start/{id}: the portal answers 302 to the provider's authorize endpoint.</summary>
    public async Task<Uri> StartSignInAsync(ScenarioBrowser browser, string? returnUrl = null, string? purpose = null)
    {
        var response = await RequestStartAsync(browser, returnUrl, purpose);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Start answered {(int)response.StatusCode}. Logs:\n{Host.Logs.AllText}");
        var location = response.Headers.Location!;
        var authorize = GitLab is not null
            ? $"{Registration.BaseUrl}/oauth/authorize?"
            : Registration.OAuth1 is null
                ? $"{Registration.BaseUrl}/rest/oauth2/latest/authorize?"
                : $"{Registration.BaseUrl}/plugins/servlet/oauth/authorize?oauth_token=";
        Assert.True(location.IsAbsoluteUri && location.ToString().StartsWith(authorize, StringComparison.Ordinal),
            $"Start redirected to {location} instead of the provider's authorize endpoint.");
        return location;
    }

    /// <summary>
    /// GET /signin/start/{id}, or for <paramref name="purpose"/> "verify" the Verify button's form post; whatever the
    /// portal answers (a start that fails redirects back with a message).
    /// </summary>
    public async Task<HttpResponseMessage> RequestStartAsync(ScenarioBrowser browser, string? returnUrl = null, string? purpose = null)
    {
        if (purpose == "verify")
        {
            return await RequestVerifyAsync(browser, await AntiforgeryTokenAsync(browser));
        }
        var query = returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl);
        return await browser.Http.GetAsync(new Uri($"/signin/start/{IntegrationId}{query}", UriKind.Relative));
    }

    /// <summary>The antiforgery token of the Verify form on the Integrations page, as the browser would send it.</summary>
    public async Task<string> AntiforgeryTokenAsync(ScenarioBrowser browser)
    {
        var page = await browser.Http.GetStringAsync(new Uri("/integrations", UriKind.Relative));
        var match = AntiforgeryTokenPattern().Match(page);
        Assert.True(match.Success, "The Integrations page has no Verify form with an antiforgery token.");
        return WebUtility.HtmlDecode(match.Groups["token"].Value);
    }

    /// <summary>
    /// POST /signin/verify/{id}, the Verify button's form, with <paramref name="antiforgeryToken"/> (or none) and the
    /// watching page's <paramref name="watchId"/> (or none).
    /// </summary>
    public async Task<HttpResponseMessage> RequestVerifyAsync(ScenarioBrowser browser, string? antiforgeryToken, string? watchId = null)
    {
        var form = antiforgeryToken is null ? [] : new Dictionary<string, string> { ["__RequestVerificationToken"] = antiforgeryToken };
        if (watchId is not null)
        {
            form["watch"] = watchId;
        }
        return await browser.Http.PostAsync(new Uri($"/signin/verify/{IntegrationId}", UriKind.Relative), new FormUrlEncodedContent(form));
    }

    /// <summary>The Replace page's "Verify with the new …" form post, watched by the page's <paramref name="watchId"/>.</summary>
    public async Task<HttpResponseMessage> RequestVerifyNewCredentialsAsync(ScenarioBrowser admin, string? watchId = null)
    {
        var form = new Dictionary<string, string> { ["__RequestVerificationToken"] = await AntiforgeryTokenAsync(admin) };
        if (watchId is not null)
        {
            form["watch"] = watchId;
        }
        return await admin.Http.PostAsync(new Uri($"/signin/verify/{IntegrationId}/new-credentials", UriKind.Relative), new FormUrlEncodedContent(form));
    }

    /// <summary>The whole verification with the pending new credentials; the message its tab shows on the Replace page.</summary>
    public async Task<string?> VerifyNewCredentialsAsync(ScenarioBrowser admin, string? watchId = null)
    {
        var start = await RequestVerifyNewCredentialsAsync(admin, watchId);
        Assert.True(start.StatusCode == HttpStatusCode.Redirect, $"The verification did not start: {start.StatusCode}");
        var callback = await AuthorizeToCallbackAsync(start.Headers.Location!);
        var response = await CallbackAsync(admin, callback);
        Assert.Equal($"/integrations/{IntegrationId}/credentials", response.Headers.Location!.OriginalString);
        return await StatusMessageAfterAsync(admin, response);
    }

    /// <summary>The browser at the provider, as a person clicks through it: no redirects followed, cookies passed by hand.</summary>
    public ConsentWalker ProviderBrowser => new(provider);

    /// <summary>
    /// The browser at the provider's authorize endpoint, optionally signed in there with a session cookie. Where Bitbucket
    /// shows its consent page, the person clicks Allow (Deny when <see cref="BitbucketFake.DenyConsent"/> is set); the
    /// answer is the provider's last one.
    /// </summary>
    public Task<HttpResponseMessage> AuthorizeAsync(Uri authorizeUrl, string? providerSessionCookie = null) =>
        GitLab is not null
            ? GitLabBrowser.AuthorizeAsync(authorizeUrl, GitLabConsentChoice.Authorize, providerSessionCookie)
            : ProviderBrowser.AuthorizeAsync(authorizeUrl, Fake?.DenyConsent == true ? ConsentChoice.Deny : ConsentChoice.Allow, providerSessionCookie);

    /// <summary>Authorize and expect the provider to send the browser back to the portal's callback.</summary>
    public async Task<Uri> AuthorizeToCallbackAsync(Uri authorizeUrl, string? providerSessionCookie = null)
    {
        var response = await AuthorizeAsync(authorizeUrl, providerSessionCookie);
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.SeeOther or HttpStatusCode.Found,
            $"Authorize answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var location = response.Headers.Location!;
        Assert.StartsWith(CallbackUrl + "?", location.ToString(), StringComparison.Ordinal);
        return location;
    }

    /// <summary>The browser arrives at the portal's callback.</summary>
    public Task<HttpResponseMessage> CallbackAsync(ScenarioBrowser browser, Uri callbackUrl) => browser.Http.GetAsync(callbackUrl);

    /// <summary>The whole sign-in; <paramref name="asUser"/> signs in to the Bitbucket fake instead of its consenting user.</summary>
    public async Task<SignInAttempt> SignInAsync(ScenarioBrowser browser, BitbucketFakeUser? asUser = null, string? returnUrl = null, string? purpose = null)
    {
        var authorize = await StartSignInAsync(browser, returnUrl, purpose);
        var callback = await AuthorizeToCallbackAsync(authorize, asUser is null ? null : Bitbucket.SessionCookieFor(asUser));
        return new SignInAttempt(authorize, callback, await CallbackAsync(browser, callback));
    }

    /// <summary>Follows the portal's redirect and returns the text of the page's status message (null when none).</summary>
    public async Task<string?> StatusMessageAfterAsync(ScenarioBrowser browser, HttpResponseMessage redirect) =>
        StatusMessageIn(await PageAfterAsync(browser, redirect));

    /// <summary>Follows the portal's redirect and returns the whole page it leads to.</summary>
    public async Task<string> PageAfterAsync(ScenarioBrowser browser, HttpResponseMessage redirect)
    {
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        var page = await browser.Http.GetAsync(redirect.Headers.Location);
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{redirect.Headers.Location} answered {(int)page.StatusCode}");
        return await page.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// An anonymous page shows nothing an administrator alone should see: no address of Bitbucket (host:port), no
    /// exception text or HTTP answer, no Consumer Key, no server clocks, no OAuth problem names.
    /// </summary>
    public void AssertNoInternalDetail(string page)
    {
        var text = WebUtility.HtmlDecode(page);
        var bitbucket = new Uri(Registration.BaseUrl);
        string[] forbidden =
        [
            $"{bitbucket.Host}:{bitbucket.Port}", Registration.BaseUrl, "127.0.0.1:", "localhost:", "Exception", "HTTP ", "oauth_problem",
            "Portal clock", "Bitbucket clock", " UTC", "Consumer Key", "BEGIN PUBLIC KEY", "actively refused", "Connection refused",
            "error occurred", "atlassian-bitbucket.log",
        ];
        if (Registration.OAuth1 is { } keys)
        {
            forbidden = [.. forbidden, keys.ConsumerKey];
        }
        var shown = forbidden.Where(f => text.Contains(f, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(shown.Count == 0, $"The anonymous page shows internal detail ({string.Join(", ", shown)}): {StatusMessageIn(page)}");
    }

    /// <summary>The sign-in events recorded so far, oldest first.</summary>
    public Task<List<SignInEvent>> SignInEventsAsync() => QueryAsync(db => db.SignInEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());

    /// <summary>The text inside <c>[data-testid=status-message]</c>.</summary>
    public static string? StatusMessageIn(string html)
    {
        var match = StatusMessagePattern().Match(html);
        return match.Success ? WebUtility.HtmlDecode(TagPattern().Replace(match.Groups["text"].Value, "")).Trim() : null;
    }

    /// <summary>
    /// Someone else redeems the code of <paramref name="callbackUrl"/> at the provider's token endpoint before the
    /// portal does, with the client's credentials and the PKCE verifier (read from the portal's database by state).
    /// </summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> RedeemCodeDirectlyAsync(Uri callbackUrl)
    {
        var stateHash = PendingAuthorizationStore.KeyOf(IntegrationId, QueryValue(callbackUrl, "state")!);
        var pending = await QueryAsync(db => db.PendingAuthorizations.AsNoTracking().SingleAsync(p => p.StateHash == stateHash));
        var verifier = Host.Services.GetRequiredService<SecretProtector>().TryUnprotect(SecretPurpose.PkceVerifier, pending.ProtectedSecret)!;
        using var response = await provider.PostAsync(new Uri($"{Registration.BaseUrl}/rest/oauth2/latest/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = QueryValue(callbackUrl, "code")!,
            ["redirect_uri"] = CallbackUrl,
            ["client_id"] = Registration.ClientId,
            ["client_secret"] = Registration.ClientSecret,
            ["code_verifier"] = verifier,
        }));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>A refresh_token grant sent straight to the provider with the client's credentials.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> RefreshDirectlyAsync(string refreshToken)
    {
        using var response = await provider.PostAsync(new Uri($"{Registration.BaseUrl}/rest/oauth2/latest/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = Registration.ClientId,
            ["client_secret"] = Registration.ClientSecret,
        }));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>Runs the portal's <see cref="TokenRefresher"/> for one account.</summary>
    public async Task<TokenRefreshResult> RefreshAsync(Guid externalIdentityId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TokenRefresher>().RefreshAsync(externalIdentityId);
    }

    /// <summary>Decrypts the stored access and refresh token of the only account.</summary>
    public async Task<(string? AccessToken, string? RefreshToken)> StoredTokensAsync()
    {
        var identity = Assert.Single(await ExternalIdentitiesAsync());
        var protector = Host.Services.GetRequiredService<SecretProtector>();
        return (protector.TryUnprotect(SecretPurpose.AccessToken, identity.ProtectedAccessToken!),
            identity.ProtectedRefreshToken is null ? null : protector.TryUnprotect(SecretPurpose.RefreshToken, identity.ProtectedRefreshToken));
    }

    /// <summary>OAuth 1: decrypts the stored access token and token secret of the only account.</summary>
    public async Task<(string? AccessToken, string? TokenSecret)> StoredOAuth1TokensAsync()
    {
        var identity = Assert.Single(await ExternalIdentitiesAsync());
        var protector = Host.Services.GetRequiredService<SecretProtector>();
        return (protector.TryUnprotect(SecretPurpose.AccessToken, identity.ProtectedAccessToken!),
            identity.ProtectedOAuth1TokenSecret is null ? null : protector.TryUnprotect(SecretPurpose.OAuth1TokenSecret, identity.ProtectedOAuth1TokenSecret));
    }

    // ---- Checks -----------------------------------------------------------------------------------------------------

    public async Task<T> QueryAsync<T>(Func<PortalDbContext, Task<T>> query)
    {
        var factory = Host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        return await query(db);
    }

    public Task<List<PortalUser>> UsersAsync() => QueryAsync(db => db.Users.AsNoTracking().ToListAsync());

    public Task<List<ExternalIdentity>> ExternalIdentitiesAsync() => QueryAsync(db => db.ExternalIdentities.AsNoTracking().ToListAsync());

    /// <summary>Asserts that no account exists: the attempt must not have created one.</summary>
    public async Task AssertNoAccountAsync()
    {
        Assert.Empty(await UsersAsync());
        Assert.Empty(await ExternalIdentitiesAsync());
    }

    /// <summary>No portal answer was 5xx and nothing was logged as an error.</summary>
    /// <param name="expectedError">An error log entry the test provokes on purpose (say, a failed statement the portal recovers from).</param>
    public void AssertNoServerErrors(Func<string, bool>? expectedError = null)
    {
        var failures = portalResponses.Where(r => (int)r.Status >= 500).Select(r => $"{r.Method} {r.Uri} → {(int)r.Status}").ToList();
        Assert.True(failures.Count == 0, "Server errors: " + string.Join(", ", failures) + "\n" + Host.Logs.AllText);
        var errors = Host.Logs.Entries.Where(e => e.Level >= LogLevel.Error && expectedError?.Invoke(e.Message) != true).ToList();
        Assert.True(errors.Count == 0, "Errors logged:\n" + string.Join('\n', errors.Select(e => $"{e.Category}: {e.Message}")));
    }

    /// <summary>A query parameter of a URL the test captured.</summary>
    public static string? QueryValue(Uri url, string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query).TryGetValue(name, out var value) ? value.ToString() : null;

    /// <summary><paramref name="url"/> with one query parameter replaced, or removed when <paramref name="value"/> is null.</summary>
    public static Uri WithQueryValue(Uri url, string name, string? value)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query)
            .Where(p => p.Key != name).SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))).ToList();
        if (value is not null)
        {
            query.Add(new(name, value));
        }
        return new Uri(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(url.GetLeftPart(UriPartial.Path), query));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in disposables)
        {
            disposable.Dispose();
        }
        provider.Dispose();
        await Host.DisposeAsync();
        DeleteTrustedCaFile();
        await Registration.Provider.DisposeAsync();
    }

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"(?<token>[^\"]+)\"|<input[^>]*value=\"(?<token>[^\"]+)\"[^>]*name=\"__RequestVerificationToken\"")]
    private static partial Regex AntiforgeryTokenPattern();

    [GeneratedRegex("""data-testid="status-message"[^>]*>.*?<div class="mud-alert-message">(?<text>.*?)</div>""", RegexOptions.Singleline)]
    private static partial Regex StatusMessagePattern();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagPattern();
}

/// <summary>A browser without JavaScript: a cookie jar and an HttpClient that does not follow redirects.</summary>
public sealed class ScenarioBrowser : IDisposable
{
    private readonly string baseUrl;

    internal ScenarioBrowser(string baseUrl, CookieContainer cookies, bool useCookies, ConcurrentQueue<(HttpMethod, Uri, HttpStatusCode)> record)
    {
        this.baseUrl = baseUrl;
        Cookies = cookies;
        var handler = new RecordingHandler(record) { InnerHandler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = useCookies, CookieContainer = cookies } };
        Http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };
    }

    public HttpClient Http { get; }

    public CookieContainer Cookies { get; }

    /// <summary>The value of a cookie the portal set, as the browser would send it to <paramref name="path"/>.</summary>
    public string? Cookie(string name, string path = "/") =>
        Cookies.GetCookies(new Uri(baseUrl + path)).FirstOrDefault(c => c.Name == name)?.Value;

    /// <summary>The correlation cookie(s) of sign-ins in flight.</summary>
    public IReadOnlyList<Cookie> CorrelationCookies =>
        Cookies.GetCookies(new Uri(baseUrl + "/signin/callback/")).Where(c => c.Name.StartsWith("Portal.Correlation.", StringComparison.Ordinal)).ToList();

    public void Dispose() => Http.Dispose();

    private sealed class RecordingHandler(ConcurrentQueue<(HttpMethod, Uri, HttpStatusCode)> record) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            record.Enqueue((request.Method, request.RequestUri!, response.StatusCode));
            return response;
        }
    }
}
