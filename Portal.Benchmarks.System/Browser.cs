using Microsoft.Playwright;

namespace Portal.Benchmarks.SystemLevel;

/// <summary>Debian's headless Chromium through Playwright (nothing downloaded), as the browser tests use it.</summary>
public sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        this.browser = browser;
    }

    public static async Task<Browser> StartAsync()
    {
        var path = Environment.GetEnvironmentVariable("PORTAL_TEST_CHROMIUM") is { Length: > 0 } configured ? configured
            : File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : "/usr/bin/chromium";
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic", "--no-default-browser-check", "--renderer-process-limit=4"],
        });
        return new Browser(playwright, browser);
    }

    /// <summary>A context (own cookies) that opened <paramref name="setupLink"/> first, when given, to get the portal's admin pages.</summary>
    public async Task<IBrowserContext> NewContextAsync(string? setupLink = null)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(60_000);
        if (setupLink is not null)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(setupLink);
            await page.CloseAsync();
        }
        return context;
    }

    /// <summary>
    /// Opens <paramref name="count"/> pages of <paramref name="url"/> in <paramref name="context"/>, a few at a time,
    /// and waits until the server counts that many more open circuits.
    /// </summary>
    public static async Task<List<IPage>> OpenPagesAsync(IBrowserContext context, ServerProcess server, string url, int count)
    {
        var before = await server.CircuitsAsync();
        var pages = new List<IPage>();
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var page = await context.NewPageAsync();
                await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.DOMContentLoaded });
                lock (pages)
                {
                    pages.Add(page);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (await server.CircuitsAsync() < before + count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        var open = await server.CircuitsAsync() - before;
        if (open < count)
        {
            Console.Error.WriteLine($"  only {open} of {count} circuits opened for {url}");
        }
        return pages;
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
