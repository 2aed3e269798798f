using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Portal.Tests.Browser;

/// <summary>
/// The README's several-instance nginx configuration in front of two real portal processes on one PostgreSQL database:
/// the wizard, the sign-in that makes the first administrator and the live dashboard, in Chromium, through nginx.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Database", "PostgreSQL")]
public sealed partial class ScaleOutBrowserTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly string databaseKey = TestPaths.NewDatabasePath();
    private readonly int nginxPort = PortalHost.FreeLoopbackPort();
    private readonly List<PortalInstance> instances = [];
    private BitbucketFake bitbucket = null!;
    private NginxProxy nginx = null!;
    private IBrowserContext? context;

    // Each instance is a fresh process (a Debug build, JIT-compiling every page on first use) on a busy CI machine.
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 30_000 };

    private string PublicUrl => NginxProxy.PublicUrlFor(nginxPort);

    private string KeyFilePath => TestPaths.KeyFilePath(databaseKey);

    public async Task InitializeAsync()
    {
        // Told to skip Bitbucket's https rule: Chromium does not trust the fake's test certificate (the rule has host tests).
        bitbucket = await BitbucketFake.StartAsync(new BitbucketFakeOptions { SkipHttpsRequirement = true });
        bitbucket.AddUser(BitbucketFakeUser.Ada);
        bitbucket.ConsentingUser = BitbucketFakeUser.Ada;
        TestKeyFiles.ProvideShared(KeyFilePath);
        foreach (var _ in new[] { "A", "B" })
        {
            instances.Add(await PortalInstance.StartAsync(new Dictionary<string, string>
            {
                ["Database__Provider"] = "PostgreSQL",
                ["Database__ConnectionString"] = PostgreSqlCluster.Shared.DatabaseFor(databaseKey),
                ["DataProtection__CertificatePath"] = KeyFilePath,
                ["Portal__PublicUrl"] = PublicUrl,
                ["Portal__TrustedProxies__0"] = "127.0.0.1",
                ["Status__ProbeInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture),
                ["Status__ProbeTimeout"] = "00:00:01",
            }));
        }
        nginx = await NginxProxy.StartInFrontOfAsync(nginxPort, instances.Select(i => i.Port).ToList());
    }

    public async Task DisposeAsync()
    {
        if (context is not null)
        {
            await context.CloseAsync();
        }
        foreach (var instance in instances)
        {
            await instance.DisposeAsync();
        }
        await nginx.DisposeAsync();
        await bitbucket.DisposeAsync();
        PostgreSqlCluster.Shared.Drop(PostgreSqlCluster.Shared.DatabaseFor(databaseKey));
        TestPaths.DeleteDatabase(databaseKey);
    }

    private static ILocator Textbox(IPage page, string name) => page.GetByRole(AriaRole.Textbox, new() { Name = name, Exact = true });

    [Fact]
    public async Task Through_nginx_in_front_of_two_instances_the_wizard_sign_in_and_live_dashboard_work()
    {
        // The instance started last logged the link that works.
        var setupLink = SetupLinkPattern().Matches(instances[^1].Output).Last().Value;
        Assert.StartsWith($"{PublicUrl}/setup?token=", setupLink, StringComparison.Ordinal);
        context = await browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();

        await page.GotoAsync(setupLink);
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add Integration" })).ToBeVisibleAsync();
        // A full page load, so the only "interactive" marker is the wizard's own (after enhanced navigation the
        // previous page's marker can still be there while the wizard's circuit starts on a cold instance).
        await page.GotoAsync($"{PublicUrl}/integrations/new");
        await page.WaitForInteractiveAsync();
        await Textbox(page, "Name").FillAsync("Acme Bitbucket");
        // Typed as a person types: each character is a render of the page on an instance whose database answers
        // asynchronously, and the field must keep the focus through all of them.
        await Textbox(page, "Base URL").PressSequentiallyAsync(bitbucket.BaseUrl, new() { Delay = 30 });
        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("Bitbucket 8.9.1", Patient);
        var callback = await Textbox(page, "Callback URL / Redirect URL").InputValueAsync();
        Assert.StartsWith($"{PublicUrl}/signin/callback/", callback, StringComparison.Ordinal);
        var link = bitbucket.RegisterClient("Acme portal", callback);
        await Textbox(page, "Client ID").FillAsync(link.ClientId);
        await Textbox(page, "Client Secret").FillAsync(link.ClientSecret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create Integration" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/integrations\\?created="));

        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"{PublicUrl}/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Acme Bitbucket" }).ClickAsync();
        await page.AllowOnBitbucketAsync(BitbucketFakeUser.Ada);
        await page.WaitForURLAsync($"{PublicUrl}/");
        await Assertions.Expect(page.GetByTestId("current-user")).ToHaveTextAsync("Ada Lovelace", Patient);
        await Assertions.Expect(page.GetByTestId("status-message")).ToContainTextAsync("first administrator", new() { Timeout = Patient.Timeout });

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Status" }).ClickAsync();
        await page.WaitForURLAsync($"{PublicUrl}/status");
        await page.WaitForInteractiveAsync();
        var badge = page.Locator("[data-testid=status-card][data-integration='Acme Bitbucket']").GetByTestId("status-badge");
        await Assertions.Expect(badge).ToHaveTextAsync("Connected", new() { Timeout = (float)(Interval * 3 + TimeSpan.FromSeconds(20)).TotalMilliseconds });
        await page.ScreenshotToAsync("96-scale-out-status-through-nginx.png");
        await page.AssertNoAccessibilityViolationsAsync("administrator, Status through nginx in front of two instances");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await bitbucket.StopAsync();
        await Assertions.Expect(badge).ToHaveTextAsync("Unreachable", new() { Timeout = (float)(Interval * 2 + TimeSpan.FromSeconds(5)).TotalMilliseconds });
        output.WriteLine($"Through nginx, the dashboard showed the outage {watch.ElapsedMilliseconds} ms after Bitbucket stopped (interval {Interval.TotalSeconds} s).");
        Assert.All(instances, instance => Assert.DoesNotContain("Unhandled exception", instance.Output, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"https?://\S+/setup\?token=[A-Za-z0-9_\-%]+")]
    private static partial Regex SetupLinkPattern();
}
