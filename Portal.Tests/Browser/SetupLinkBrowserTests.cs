using Microsoft.Playwright;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class SetupLinkBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalHost host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Opening_the_setup_link_lands_in_the_admin_area_with_the_setup_mode_banner()
    {
        var page = await browser.NewPageAsync();

        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();

        Assert.Equal($"{host.BaseUrl}/integrations", page.Url);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Integrations", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("setup-mode-banner")).ToContainTextAsync("Setup Mode");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add Integration" })).ToBeVisibleAsync();
        await page.ScreenshotToAsync("01-setup-mode-integrations.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Integrations without integrations");

        // Status without integrations: its "Add Integration" link sits inside a sentence.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Status" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/status");
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("no-integrations").GetByRole(AriaRole.Link, new() { Name = "Add Integration" })).ToBeVisibleAsync();
        await page.AssertNoAccessibilityViolationsAsync("setup session, Status without integrations");
    }

    [Fact]
    public async Task Without_the_setup_link_the_admin_area_explains_how_to_get_in()
    {
        host.Start();
        var page = await browser.NewPageAsync();

        await page.GotoAsync($"{host.BaseUrl}/integrations");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Administrator access" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("access-explanation")).ToContainTextAsync("setup link");
        await page.ScreenshotToAsync("00-access-explanation.png");
        await page.AssertNoAccessibilityViolationsAsync("anonymous, admin page in Setup Mode");
    }
}
