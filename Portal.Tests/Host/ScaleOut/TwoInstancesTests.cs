using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Audit;
using Portal.Core.Integrations;
using Portal.Core.Persistence;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Setup;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Portal.Tests.Host.ScaleOut;

/// <summary>
/// Two portal processes on their own loopback ports and one PostgreSQL database, as an operator runs them behind a
/// load balancer: both have the same public URL, the same key file and the same database. A third, in-process portal
/// (no scheduler) plays the administrator's console: it creates the integration and issues setup links.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Database", "PostgreSQL")]
public sealed class TwoInstancesTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly string databaseKey = TestPaths.NewDatabasePath();
    private readonly int portA = PortalHost.FreeLoopbackPort();
    private BitbucketFake bitbucket = null!;
    private PortalHost console = null!;
    private PortalInstance? a;
    private PortalInstance? b;
    private IBrowserContext? page;
    private Guid integrationId;

    /// <summary>The address users open; in production the load balancer's, here A's (any instance serves any request).</summary>
    private string PublicUrl => $"http://127.0.0.1:{portA}";

    private string ConnectionString => PostgreSqlCluster.Shared.DatabaseFor(databaseKey);

    public async Task InitializeAsync()
    {
        bitbucket = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true });
        bitbucket.AddUser(BitbucketFakeUser.Ada);
        bitbucket.AddUser(BitbucketFakeUser.Grace);
        integrationId = Guid.NewGuid();
        var client = bitbucket.RegisterClient("Portal", CallbackUrl.For(PublicUrl, integrationId));
        console = new PortalHost(databaseKey, new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSQL",
            ["Database:ConnectionString"] = ConnectionString,
            ["Portal:PublicUrl"] = PublicUrl,
            ["Status:Enabled"] = "false",
        });
        console.Start();
        await console.Services.CreateIntegrationAsync(new NewIntegration(integrationId, "Acme Bitbucket", BitbucketServerPlatform.KindOf.Key,
            bitbucket.BaseUrl, "8.9.1", OAuthVersion.OAuth2, client.ClientId, client.ClientSecret,
            TrustedCaPem: bitbucket.Certificate!.ExportCertificatePem()));
    }

    public async Task DisposeAsync()
    {
        if (page is not null)
        {
            await page.CloseAsync();
        }
        if (a is not null)
        {
            await a.DisposeAsync();
        }
        if (b is not null)
        {
            await b.DisposeAsync();
        }
        await console.DisposeAsync();
        await bitbucket.DisposeAsync();
        PostgreSqlCluster.Shared.Drop(ConnectionString);
    }

    private Dictionary<string, string> InstanceSettings() => new()
    {
        ["Database__Provider"] = "PostgreSQL",
        ["Database__ConnectionString"] = ConnectionString,
        ["DataProtection__CertificatePath"] = console.KeyFilePath,
        ["Portal__PublicUrl"] = PublicUrl,
        ["Status__ProbeInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture),
        ["Status__ProbeTimeout"] = "00:00:01",
        ["Logging__LogLevel__Default"] = "Information",
    };

    [Fact]
    public async Task Two_instances_share_sign_ins_the_first_administrator_one_scheduler_and_live_status()
    {
        a = await PortalInstance.StartAsync(InstanceSettings(), portA);
        await WaitForProbesAsync(1, "A's first probe");
        b = await PortalInstance.StartAsync(InstanceSettings());
        var bothRunningSince = DateTimeOffset.UtcNow;

        // Two people hold setup sessions, one opened on each instance.
        using var ada = new CookieBrowser();
        using var grace = new CookieBrowser();
        await OpenSetupLinkAsync(ada, a);
        await OpenSetupLinkAsync(grace, b);
        Assert.Equal(HttpStatusCode.OK, (await ada.Http.GetAsync(new Uri($"{b.BaseUrl}/integrations"))).StatusCode);

        // Each starts signing in on one instance; Bitbucket sends each back to the public URL, and the load balancer
        // hands Ada's callback to B and Grace's to A, at the same moment.
        var adaCallback = OnInstance(await AuthorizeAsync(ada, a, BitbucketFakeUser.Ada), b);
        var graceCallback = OnInstance(await AuthorizeAsync(grace, b, BitbucketFakeUser.Grace), a);
        var answers = await Task.WhenAll(ada.Http.GetAsync(adaCallback), grace.Http.GetAsync(graceCallback));

        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
            Assert.DoesNotContain("/signin", answer.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        await using (var db = TestDatabaseContext())
        {
            var users = await db.Users.AsNoTracking().ToListAsync();
            Assert.Equal(["Ada Lovelace", "Grace Hopper"], users.Select(u => u.DisplayName).Order());
            Assert.Single(users, u => u.IsAdministrator);
            Assert.Single(await db.AuditEntries.AsNoTracking().Where(e => e.Kind == AuditKind.SetupModeEnded).ToListAsync());
            Assert.All(await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml!).ToListAsync(),
                xml => Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal));
        }
        Assert.False(await console.Services.GetRequiredService<SetupModeService>().IsActiveAsync());
        var administrator = (await AdministratorBrowserAsync(ada, grace))!;

        // A dashboard open on B shows what A's scheduler records, without a reload.
        page = await browser.NewContextAsync();
        await page.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "Portal.Auth", Value = administrator.Cookie(b.BaseUrl, "Portal.Auth")!, Url = b.BaseUrl }]);
        var dashboard = await page.NewPageAsync();
        await dashboard.GotoAsync($"{b.BaseUrl}/status");
        await dashboard.WaitForInteractiveAsync();
        var card = dashboard.Locator("[data-testid=status-card][data-integration='Acme Bitbucket']");
        var badge = card.GetByTestId("status-badge");
        // Degraded, not Connected: the fake's certificate is made for the run and expires within a day.
        await Assertions.Expect(badge).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(Connected|Degraded)$"), new() { Timeout = 30_000 });
        var outage = Stopwatch.StartNew();
        await bitbucket.StopAsync();
        await Assertions.Expect(badge).ToHaveTextAsync("Unreachable", new() { Timeout = (float)(Interval * 2 + TimeSpan.FromSeconds(5)).TotalMilliseconds });
        output.WriteLine($"B's dashboard showed the outage {outage.ElapsedMilliseconds} ms after Bitbucket stopped (interval {Interval.TotalSeconds} s).");
        await dashboard.ScreenshotToAsync("95-scale-out-dashboard-on-b.png");

        // While both ran, one scheduler probed: never two probes of the integration within half an interval.
        var checks = await ProbeTimesAsync(since: bothRunningSince);
        output.WriteLine($"While both ran ({(DateTimeOffset.UtcNow - bothRunningSince).TotalSeconds:F1} s): {checks.Count} probes at " +
            string.Join(", ", checks.Select(c => (c - bothRunningSince).TotalSeconds.ToString("F2", CultureInfo.InvariantCulture))));
        Assert.True(checks.Count >= 2, $"Only {checks.Count} probes while both ran.");
        Assert.All(checks.Zip(checks.Skip(1)), pair => Assert.True(pair.Second - pair.First > Interval / 2,
            $"Two probes {(pair.Second - pair.First).TotalMilliseconds:F0} ms apart: two schedulers ran."));

        // A dies without a word; B takes over within one interval.
        var lastBeforeKill = checks[^1];
        a.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var takeover = await WaitForProbeAfterAsync(killedAt, Interval * 3 + TimeSpan.FromSeconds(10));
        output.WriteLine($"After A was killed, B probed {(takeover - killedAt).TotalMilliseconds:F0} ms later ({(takeover - lastBeforeKill).TotalMilliseconds:F0} ms after A's last probe).");
        Assert.True(takeover - killedAt <= Interval + TimeSpan.FromSeconds(1.5),
            $"B probed {(takeover - killedAt).TotalMilliseconds:F0} ms after A died; the bound is one interval ({Interval.TotalMilliseconds} ms) plus 1.5 s for a starved machine's timers.");
        await Assertions.Expect(badge).ToHaveTextAsync("Unreachable");
        Assert.DoesNotContain("Unhandled exception", b.Output, StringComparison.Ordinal);
    }

    private PostgreSqlPortalDbContext TestDatabaseContext() =>
        new(new DbContextOptionsBuilder<PostgreSqlPortalDbContext>()
            .UseNpgsql(ConnectionString).Options);

    private async Task OpenSetupLinkAsync(CookieBrowser person, PortalInstance instance)
    {
        var token = await console.Services.GetRequiredService<SetupModeService>().IssueTokenAsync();
        var opened = await person.Http.GetAsync(new Uri($"{instance.BaseUrl}/setup?token={token}"));
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
    }

    /// <summary>Starts a sign-in on <paramref name="instance"/> and clicks Allow at Bitbucket; returns the callback Bitbucket sends the browser to.</summary>
    private async Task<Uri> AuthorizeAsync(CookieBrowser person, PortalInstance instance, BitbucketFakeUser user)
    {
        // Through the load balancer: the instance gets the public host name, as nginx's proxy_set_header Host sends it.
        using var startRequest = new HttpRequestMessage(HttpMethod.Get, new Uri($"{instance.BaseUrl}/signin/start/{integrationId}"));
        startRequest.Headers.Host = new Uri(PublicUrl).Authority;
        var start = await person.Http.SendAsync(startRequest);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        using var provider = new HttpClient(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.RawData.AsSpan().SequenceEqual(bitbucket.Certificate!.RawData) == true,
        });
        var consent = await new ConsentWalker(provider).AuthorizeAsync(start.Headers.Location!, ConsentChoice.Allow, bitbucket.SessionCookieFor(user));
        Assert.True(consent.Headers.Location is not null, $"Bitbucket answered {(int)consent.StatusCode}: {await consent.Content.ReadAsStringAsync()}");
        var callback = consent.Headers.Location;
        Assert.StartsWith(CallbackUrl.For(PublicUrl, integrationId), callback.ToString(), StringComparison.Ordinal);
        return callback;
    }

    private static Uri OnInstance(Uri url, PortalInstance instance) => new UriBuilder(url) { Port = instance.Port }.Uri;

    private async Task<CookieBrowser?> AdministratorBrowserAsync(params CookieBrowser[] people)
    {
        foreach (var person in people)
        {
            var admin = await person.Http.GetAsync(new Uri($"{b!.BaseUrl}/integrations"));
            if (admin.StatusCode == HttpStatusCode.OK)
            {
                return person;
            }
        }
        return null;
    }

    private async Task<List<DateTimeOffset>> ProbeTimesAsync(DateTimeOffset since)
    {
        await using var db = TestDatabaseContext();
        var times = await db.ProbeResults.AsNoTracking().Where(r => r.IntegrationId == integrationId).Select(r => r.CheckedAt).ToListAsync();
        return times.Where(t => t >= since).Order().ToList();
    }

    private async Task WaitForProbesAsync(int count, string what)
    {
        var watch = Stopwatch.StartNew();
        while ((await ProbeTimesAsync(DateTimeOffset.MinValue)).Count < count)
        {
            Assert.True(watch.Elapsed < Interval * 3 + TimeSpan.FromSeconds(30), $"No {what} within {watch.Elapsed}. A's output:\n{a?.Output}");
            await Task.Delay(100);
        }
    }

    private async Task<DateTimeOffset> WaitForProbeAfterAsync(DateTimeOffset moment, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if ((await ProbeTimesAsync(moment)).FirstOrDefault() is var first && first != default)
            {
                return first;
            }
            Assert.True(watch.Elapsed < timeout, $"B did not probe within {timeout} after A was killed. B's output:\n{b?.Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>A browser without JavaScript whose cookies go to every instance (cookies are per host, not per port).</summary>
    private sealed class CookieBrowser : IDisposable
    {
        private readonly CookieContainer cookies = new();

        public CookieBrowser() =>
            Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies });

        public HttpClient Http { get; }

        public string? Cookie(string url, string name) => cookies.GetCookies(new Uri(url)).FirstOrDefault(c => c.Name == name)?.Value;

        public void Dispose() => Http.Dispose();
    }
}
