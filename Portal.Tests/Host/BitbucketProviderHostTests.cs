using Portal.Core.Connections;
using Portal.Core.Platforms;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;
using Portal.Core.Status;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// Bitbucket's OAuth 2 provider as a whole, against the stricter fake: the metadata check the wizard and the status
/// chain run, the https rule, the code lifetime and the "U2F &amp; TOTP" plugin (shared/docs/bitbucket-protocol.md
/// §1.2–1.5, §3, §5, §6.7, §8).
/// </summary>
public sealed class BitbucketProviderHostTests : IAsyncDisposable
{
    private const string SettingLocation = "Administration → Server settings → Base URL";
    private readonly List<BitbucketFake> fakes = [];
    private readonly List<string> tempFiles = [];

    // ---- The metadata check ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Metadata_built_from_the_base_url_the_portal_uses_is_ready()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Https = true, ContextPath = "/bitbucket" });

        var check = await CheckAsync(fake, fake.BaseUrl);

        Assert.Equal(OAuth2ProviderFinding.Ready, check.Finding);
        Assert.Equal(fake.BaseUrl, check.BaseUrlSetting);
        Assert.Equal($"Bitbucket's OAuth 2 provider answers, and its metadata names {fake.BaseUrl} as Bitbucket's base URL, the same as this one.", check.Message);
    }

    [Theory]
    [InlineData("other host", "the host bitbucket.example.com instead of 127.0.0.1")]
    [InlineData("other port", "port {other} instead of {port}")]
    [InlineData("no context path", "no context path, where this base URL has /bitbucket")]
    [InlineData("http", "http:// instead of https://")]
    public async Task A_base_url_setting_that_differs_is_named_with_the_fix(string setting, string difference)
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions
        {
            Https = true,
            ContextPath = "/bitbucket",
            BaseUrlSetting = reached => setting switch
            {
                "other host" => reached.Replace("127.0.0.1", "bitbucket.example.com", StringComparison.Ordinal),
                "other port" => reached.Replace($":{new Uri(reached).Port}", $":{new Uri(reached).Port + 1}", StringComparison.Ordinal),
                "no context path" => reached[..^"/bitbucket".Length],
                _ => reached.Replace("https://", "http://", StringComparison.Ordinal),
            },
        });

        var check = await CheckAsync(fake, fake.BaseUrl);

        Assert.Equal(OAuth2ProviderFinding.BaseUrlMismatch, check.Finding);
        Assert.Equal(fake.BaseUrlSetting, check.BaseUrlSetting);
        Assert.StartsWith($"Bitbucket's base URL setting is {fake.BaseUrlSetting}, but this integration's base URL is {fake.BaseUrl}: ", check.Message, StringComparison.Ordinal);
        Assert.Contains(difference.Replace("{port}", $"{fake.Port}", StringComparison.Ordinal).Replace("{other}", $"{fake.Port + 1}", StringComparison.Ordinal),
            check.Message, StringComparison.Ordinal);
        Assert.Contains("fails at the consent step", check.Message, StringComparison.Ordinal);
        Assert.Contains($"{SettingLocation} (enter {fake.BaseUrl})", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_base_url_for_a_bitbucket_set_up_with_https_is_told_to_use_https()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { BaseUrlSetting = reached => reached.Replace("http://", "https://", StringComparison.Ordinal) });

        var check = await CheckAsync(fake, fake.BaseUrl);

        Assert.Equal(OAuth2ProviderFinding.BaseUrlMismatch, check.Finding);
        Assert.Contains($"Use https://127.0.0.1:{fake.Port} as the base URL here: Bitbucket's OAuth 2 provider works only over https.", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_bitbucket_with_an_http_setting_gets_a_warning_that_names_https()
    {
        var fake = await StartFakeAsync();

        var check = await CheckAsync(fake, fake.BaseUrl);

        Assert.Equal(OAuth2ProviderFinding.PlainHttp, check.Finding);
        Assert.Contains($"Bitbucket's base URL setting is {fake.BaseUrl}, plain http", check.Message, StringComparison.Ordinal);
        Assert.Contains("\"no https\"", check.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProviderMetadataMode.Forbidden, "answered 403 Forbidden to an anonymous request")]
    [InlineData(ProviderMetadataMode.Redirect, "redirected /rest/oauth2/latest/.well-known/oauth-authorization-server to https://127.0.0.1:")]
    [InlineData(ProviderMetadataMode.HtmlPage, "with a web page instead of Bitbucket's JSON")]
    public async Task A_proxy_or_plugin_in_place_of_the_metadata_is_named_not_taken_for_a_missing_provider(ProviderMetadataMode mode, string expected)
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Https = true, ProviderMetadata = mode });

        var check = await CheckAsync(fake, fake.BaseUrl);

        Assert.Equal(OAuth2ProviderFinding.Blocked, check.Finding);
        Assert.Contains(expected, check.Message, StringComparison.Ordinal);
        Assert.Contains("a proxy, single sign-on gateway or plugin is in the way, not a missing OAuth 2 provider", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_document_the_401_of_the_client_resource_decides()
    {
        var older = await StartFakeAsync(new BitbucketFakeOptions { Https = true, ProviderMetadata = ProviderMetadataMode.Absent });
        var disabled = await StartFakeAsync(new BitbucketFakeOptions { Https = true });
        disabled.OAuth2ProviderInstalled = false;
        var tooOld = await StartFakeAsync(new BitbucketFakeOptions { Https = true, Version = "7.17.0" });

        var installed = await CheckAsync(older, older.BaseUrl);
        var missing = await CheckAsync(disabled, disabled.BaseUrl);
        var absent = await CheckAsync(tooOld, tooOld.BaseUrl);

        Assert.Equal(OAuth2ProviderFinding.InstalledWithoutMetadata, installed.Finding);
        Assert.Contains($"check that {SettingLocation} in Bitbucket is exactly {older.BaseUrl}", installed.Hint, StringComparison.Ordinal);
        Assert.Equal(OAuth2ProviderFinding.Missing, missing.Finding);
        Assert.Equal(OAuth2ProviderFinding.Missing, absent.Finding);
        Assert.Contains("open Manage apps", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_provider_is_reported_with_the_reason()
    {
        var fake = await StartFakeAsync();
        await fake.StopAsync();

        var check = await CheckAsync(fake, fake.BaseUrl);

        Assert.Equal(OAuth2ProviderFinding.Unreachable, check.Finding);
        Assert.Contains($"Nothing accepts connections at 127.0.0.1:{fake.Port}", check.Message, StringComparison.Ordinal);
    }

    // ---- The status chain ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task The_status_chain_marks_a_differing_base_url_setting_Misconfigured_and_names_the_fix()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions
        {
            Https = true,
            BaseUrlSetting = reached => reached.Replace("127.0.0.1", "bitbucket.example.com", StringComparison.Ordinal),
        });
        using var services = Services(await TrustedCaFileAsync(fake));
        var probe = new IntegrationHealthProbe(services.GetRequiredService<IOptions<ServerConnectionOptions>>(),
            Options.Create(new StatusOptions()), TimeProvider.System, new OutboundAddressGuard());
        var platform = new BitbucketServerPlatform(services.GetRequiredService<BitbucketVersionProbe>(), null!);

        var report = await probe.ProbeAsync(platform, fake.BaseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.Misconfigured, report.Problem);
        var provider = report.Steps.Single(s => s.Step == ProbeStep.OAuthProvider);
        Assert.Equal(StepOutcome.Failed, provider.Outcome);
        Assert.Contains(SettingLocation, provider.Message, StringComparison.Ordinal);
        var integration = new IntegrationInfo(Guid.NewGuid(), "Acme", fake.BaseUrl, "8.9.1", OAuthVersion.OAuth2, true, IntegrationVerification.NotVerified, null, Platform: BitbucketServerPlatform.KindOf.Key);
        var verdict = IntegrationStatusRules.Decide(integration, report, SignInSummary.None, DateTimeOffset.UtcNow);
        Assert.Equal(IntegrationStatus.Misconfigured, verdict.Status);
        Assert.Equal(provider.Message, verdict.Summary);
    }

    // ---- https -------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Over_http_the_fake_refuses_the_authorize_step_and_the_portal_names_http()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Fake = new() { Https = false } });
        using var admin = await scenario.NewSetupBrowserAsync();

        var authorize = await scenario.StartSignInAsync(admin, purpose: "verify");
        var answer = await scenario.AuthorizeAsync(authorize);

        // Bitbucket's answer: its own 400 page; the browser never comes back to the portal.
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Null(answer.Headers.Location);
        Assert.Contains("no https", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, scenario.Bitbucket.HttpsRefusals);
        Assert.Empty(scenario.Bitbucket.IssuedCodes);
        // The portal's: the Status check names plain http and the fix, and so does the wizard's warning.
        var status = scenario.Host.Services.GetRequiredService<IntegrationStatusService>();
        var snapshot = (await status.CheckNowAsync(await scenario.Host.Services.AdministratorAsync(), scenario.IntegrationId)).Value!;
        var provider = snapshot.LastReport!.Steps.Single(s => s.Step == ProbeStep.OAuthProvider);
        Assert.Equal(StepOutcome.Warning, provider.Outcome);
        Assert.Contains($"Bitbucket's base URL setting is {scenario.Bitbucket.BaseUrl}, plain http", provider.Message, StringComparison.Ordinal);
        Assert.Contains("\"no https\" (HTTP 400)", provider.Message, StringComparison.Ordinal);
        Assert.Contains("https", BaseUrlNormalizer.Normalize(scenario.Bitbucket.BaseUrl).Warning, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Behind_a_proxy_that_terminates_tls_the_fake_accepts_the_authorize_step()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { BaseUrlSetting = reached => reached.Replace("http://", "https://", StringComparison.Ordinal) });
        var client = fake.RegisterClient("Portal", "https://portal.example.com/signin/callback/abc");
        fake.ConsentingUser = BitbucketFakeUser.Ada;
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var url = $"{fake.BaseUrl}/rest/oauth2/latest/authorize?client_id={client.ClientId}&redirect_uri={Uri.EscapeDataString(client.RedirectUris[0])}&response_type=code&scope=REPO_READ&state=s";
        using var proxied = new HttpRequestMessage(HttpMethod.Get, url);
        proxied.Headers.Add("X-Forwarded-Proto", "https");

        using var direct = await http.GetAsync(new Uri(url));
        using var throughProxy = await http.SendAsync(proxied);

        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
        Assert.True(ConsentWalker.IsConsentRedirect(throughProxy), $"{(int)throughProxy.StatusCode} {throughProxy.Headers.Location}");
    }

    [Fact]
    public async Task A_sign_in_that_fails_on_an_http_base_url_names_http_as_the_likely_cause_for_administrators_only()
    {
        // A Bitbucket told to skip its https rule issues the code, then serves the token as anonymous.
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Fake = new() { Https = false, SkipHttpsRequirement = true } });
        scenario.Bitbucket.IssueTokensThatYieldNoIdentity = true;
        using var browser = scenario.NewBrowser();
        using var admin = await scenario.NewSetupBrowserAsync();

        var signIn = await scenario.SignInAsync(browser);
        var verify = await scenario.SignInAsync(admin, purpose: "verify");

        var page = await scenario.PageAfterAsync(browser, signIn.Response);
        Assert.Contains("the portal could not find out which Bitbucket account you used", SignInScenario.StatusMessageIn(page), StringComparison.Ordinal);
        Assert.DoesNotContain("http://", SignInScenario.StatusMessageIn(page), StringComparison.Ordinal);
        scenario.AssertNoInternalDetail(page);
        var message = await scenario.StatusMessageAfterAsync(admin, verify.Response);
        Assert.Contains("did not accept the access token it had just issued", message, StringComparison.Ordinal);
        Assert.Contains("This integration's base URL uses http://, and Bitbucket's OAuth 2 provider refuses sign-ins unless its base URL is https", message, StringComparison.Ordinal);
        Assert.Contains("that is the likely cause", message, StringComparison.Ordinal);
        Assert.Contains("This integration's base URL uses http://", (await scenario.SignInEventsAsync())[0].FailureReason, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task The_same_failure_over_https_does_not_blame_http()
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.IssueTokensThatYieldNoIdentity = true;
        using var admin = await scenario.NewSetupBrowserAsync();

        var verify = await scenario.SignInAsync(admin, purpose: "verify");

        var message = await scenario.StatusMessageAfterAsync(admin, verify.Response);
        Assert.Contains("did not accept the access token it had just issued", message, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", message, StringComparison.Ordinal);
    }

    // ---- Code lifetime -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_code_that_expires_before_the_exchange_asks_to_sign_in_again()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var bitbucketClock = new ShiftableTimeProvider();
        scenario.Bitbucket.Clock = bitbucketClock;
        using var browser = scenario.NewBrowser();
        using var admin = await scenario.NewSetupBrowserAsync();
        var signInCallback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(browser));
        var verifyCallback = await scenario.AuthorizeToCallbackAsync(await scenario.StartSignInAsync(admin, purpose: "verify"));

        Assert.Equal(TimeSpan.FromSeconds(10), scenario.Bitbucket.CodeLifetime);
        bitbucketClock.Advance(TimeSpan.FromSeconds(11));
        var signIn = await scenario.CallbackAsync(browser, signInCallback);
        var verify = await scenario.CallbackAsync(admin, verifyCallback);

        Assert.Equal([("invalid_request", 400), ("invalid_request", 400)], scenario.Bitbucket.TokenExchanges.Select(e => (e.Error, e.Status)));
        var page = await scenario.PageAfterAsync(browser, signIn);
        Assert.Contains("Bitbucket did not accept this sign-in's one-time code: it expired or was already used. Sign in again", SignInScenario.StatusMessageIn(page), StringComparison.Ordinal);
        scenario.AssertNoInternalDetail(page);
        Assert.Contains("unknown or expired (invalid_request; codes are valid for a short time only). Sign in again.", await scenario.StatusMessageAfterAsync(admin, verify), StringComparison.Ordinal);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    // ---- "U2F & TOTP" ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task With_the_two_factor_plugin_the_anonymous_checks_pass_but_sign_in_and_Verify_name_its_OAuth_whitelist()
    {
        await using var scenario = await SignInScenario.StartAsync();
        scenario.Bitbucket.Mode = FakeMode.TwoFactorPlugin;
        using var browser = scenario.NewBrowser();
        using var admin = await scenario.NewSetupBrowserAsync();
        using var services = Services(await TrustedCaFileAsync(scenario.Bitbucket));

        var found = await services.GetRequiredService<BitbucketVersionProbe>().ProbeAsync(scenario.Bitbucket.BaseUrl, CancellationToken.None);
        var provider = await services.GetRequiredService<BitbucketVersionProbe>().CheckOAuth2ProviderAsync(scenario.Bitbucket.BaseUrl, CancellationToken.None);
        var signIn = await scenario.SignInAsync(browser);
        var verify = await scenario.SignInAsync(admin, purpose: "verify");

        Assert.True(found.Found, found.Message);
        Assert.Equal(OAuth2ProviderFinding.Ready, provider.Finding);
        Assert.True(scenario.Bitbucket.TwoFactorRedirects >= 2);
        var page = await scenario.PageAfterAsync(browser, signIn.Response);
        Assert.Contains("the portal could not find out which Bitbucket account you used", SignInScenario.StatusMessageIn(page), StringComparison.Ordinal);
        scenario.AssertNoInternalDetail(page);
        Assert.DoesNotContain("OAuth whitelist", page, StringComparison.Ordinal);
        var message = await scenario.StatusMessageAfterAsync(admin, verify.Response);
        Assert.Contains($"redirected the portal's request for /rest/api/1.0/application-properties, made with the user's new access token, to https://127.0.0.1:{scenario.Bitbucket.Port}{BitbucketFake.TwoFactorPagePath}",
            message, StringComparison.Ordinal);
        Assert.Contains("If the \"U2F & TOTP\" two-factor plugin is installed in Bitbucket, tick \"Enable OAuth whitelist\"", message, StringComparison.Ordinal);
        await scenario.AssertNoAccountAsync();
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task With_the_two_factor_plugin_an_OAuth_1_Verify_names_its_OAuth_whitelist_too()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        scenario.Bitbucket.Mode = FakeMode.TwoFactorPlugin;
        using var admin = await scenario.NewSetupBrowserAsync();

        var verify = await scenario.SignInAsync(admin, purpose: "verify");

        var message = await scenario.StatusMessageAfterAsync(admin, verify.Response);
        Assert.Contains("failed at the identity step", message, StringComparison.Ordinal);
        Assert.Contains("tick \"Enable OAuth whitelist\"", message, StringComparison.Ordinal);
        Assert.Equal(1, scenario.Bitbucket.TwoFactorRedirects);
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------------

    private async Task<BitbucketFake> StartFakeAsync(BitbucketFakeOptions? options = null)
    {
        var fake = await BitbucketFake.StartAsync(options);
        fakes.Add(fake);
        return fake;
    }

    private async Task<OAuth2ProviderCheck> CheckAsync(BitbucketFake fake, string baseUrl)
    {
        using var services = Services(fake.Certificate is null ? null : await TrustedCaFileAsync(fake));
        return await services.GetRequiredService<BitbucketVersionProbe>().CheckOAuth2ProviderAsync(baseUrl, CancellationToken.None);
    }

    private async Task<string> TrustedCaFileAsync(BitbucketFake fake)
    {
        var path = Path.GetTempFileName();
        tempFiles.Add(path);
        await File.WriteAllTextAsync(path, fake.Certificate!.ExportCertificatePem());
        return path;
    }

    private static ServiceProvider Services(string? trustedCaFile)
    {
        var settings = new Dictionary<string, string?> { ["Bitbucket:TrustedCaFile"] = trustedCaFile };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddBitbucketServerPlatform().BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var fake in fakes)
        {
            await fake.DisposeAsync();
        }
        foreach (var file in tempFiles)
        {
            File.Delete(file);
        }
    }
}
