using Microsoft.Playwright;

namespace Portal.Tests.Infrastructure;

/// <summary>One headless Debian Chromium for all browser tests, driven by Playwright; nothing is downloaded.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("PORTAL_TEST_CHROMIUM") is { Length: > 0 } path ? path
        : File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium"
        : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        // Playwright's 5 s default for Expect is short on a busy 2-core CI machine (a live check can take longer there),
        // and 15 s once failed a first page load while the host tests ran beside it. A timeout only matters on failure.
        Assertions.SetDefaultExpectTimeout(30_000);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--no-default-browser-check",
            ],
        });
    }

    /// <summary>A fresh browser context (own cookies) with a desktop-sized viewport.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await NewContextAsync();
        return await context.NewPageAsync();
    }

    /// <summary>A fresh browser context, desktop-sized unless <paramref name="options"/> say otherwise, whose actions wait as long as the expectations do.</summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        options ??= new();
        options.ViewportSize ??= new() { Width = 1280, Height = 900 };
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(30_000);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

public static class PageExtensions
{
    /// <summary>Waits until the page's Blazor circuit is interactive; before that, clicks on prerendered HTML are lost.</summary>
    public static Task WaitForInteractiveAsync(this IPage page) =>
        page.Locator("[data-testid=interactive]").First.WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>A full-page screenshot from the top, so the fixed app bar sits where a person sees it.</summary>
    public static async Task ScreenshotToAsync(this IPage page, string name)
    {
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new() { Path = TestPaths.ScreenshotPath(name), FullPage = true });
    }
}
