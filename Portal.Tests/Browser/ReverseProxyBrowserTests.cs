using System.Collections.Concurrent;
using Microsoft.Playwright;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>
/// The README's nginx snippet in front of one portal: TLS at nginx, Blazor's WebSocket through it, and the portal
/// seeing https and the browser's address as nginx reports them.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReverseProxyBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private static readonly int NginxPort = PortalHost.FreeLoopbackPort();
    private static readonly string PublicUrl = NginxProxy.PublicUrlFor(NginxPort);

    // The settings the README pairs with the snippet.
    private readonly PortalHost host = new(settings: new Dictionary<string, string?>
    {
        ["Portal:PublicUrl"] = PublicUrl,
        ["Portal:TrustedProxies:0"] = "127.0.0.1",
    });

    private NginxProxy nginx = null!;

    public async Task InitializeAsync() => nginx = await NginxProxy.StartAsync(NginxPort, new Uri(host.BaseUrl).Port);

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await nginx.DisposeAsync();
    }

    [Fact]
    public async Task Through_nginx_the_setup_link_reaches_the_interactive_integrations_page_with_secure_cookies_and_HSTS()
    {
        var setupLink = host.SetupLink;
        Assert.StartsWith($"{PublicUrl}/setup?token=", setupLink, StringComparison.Ordinal);
        await using var context = await browser.NewContextAsync(new()
        {
            IgnoreHTTPSErrors = true,
            // What a client might claim; nginx replaces it with the address it sees.
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-For"] = "198.51.100.66" },
        });
        var page = await context.NewPageAsync();
        var webSockets = new ConcurrentQueue<string>();
        page.WebSocket += (_, socket) => webSockets.Enqueue(socket.Url);
        var documents = new ConcurrentQueue<IResponse>();
        page.Response += (_, response) =>
        {
            if (response.Request.ResourceType == "document")
            {
                documents.Enqueue(response);
            }
        };

        await page.GotoAsync(setupLink);
        await page.WaitForInteractiveAsync();

        Assert.Equal($"{PublicUrl}/integrations", page.Url);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Integrations", Level = 1 })).ToBeVisibleAsync();
        await page.AssertNoAccessibilityViolationsAsync("setup session, Integrations through nginx");
        // HSTS comes from the portal (the snippet adds none), and only on requests it saw as https.
        var integrations = documents.Last(r => r.Url == $"{PublicUrl}/integrations");
        Assert.Equal("max-age=31536000", await integrations.HeaderValueAsync("strict-transport-security"));
        Assert.Contains("frame-ancestors 'none'", await integrations.HeaderValueAsync("content-security-policy"), StringComparison.Ordinal);
        var cookies = await context.CookiesAsync();
        Assert.Contains(cookies, c => c.Name == "__Host-Portal.Auth");
        Assert.Contains(cookies, c => c.Name == "__Host-Portal.Antiforgery");
        Assert.All(cookies, c =>
        {
            Assert.StartsWith("__Host-", c.Name, StringComparison.Ordinal);
            Assert.True(c.Secure, $"{c.Name} is not Secure");
            Assert.Equal("/", c.Path);
        });
        // The browser reached nginx on ::1 and nginx reached the portal on 127.0.0.1: only X-Forwarded-For tells ::1.
        Assert.Contains("The setup link was opened from ::1;", host.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.66", host.Logs.AllText, StringComparison.Ordinal);
        // The circuit runs over a WebSocket through nginx (SignalR would otherwise fall back to long polling).
        Assert.Contains(webSockets, url => url.StartsWith($"wss://[::1]:{NginxPort}/_blazor", StringComparison.Ordinal));
    }
}
