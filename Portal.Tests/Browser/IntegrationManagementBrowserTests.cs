using System.Text.RegularExpressions;
using Portal.Core.Platforms.BitbucketServer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Persistence;
using Portal.Core.Security;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>The second day in a real browser: open an integration from the list, edit it, then delete it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class IntegrationManagementBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Name = "Acme Bitbucket";
    private const string NewClientId = "ffeeddccbbaa99887766554433221100";
    private const string NewClientSecret = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    private BitbucketFake oldServer = null!;
    private BitbucketFake newServer = null!;
    private PortalHost? host;
    private IBrowserContext? context;

    public async Task InitializeAsync()
    {
        oldServer = await BitbucketFake.StartAsync(new BitbucketFakeOptions { SkipHttpsRequirement = true });
        newServer = await BitbucketFake.StartAsync(new BitbucketFakeOptions { SkipHttpsRequirement = true, Version = "9.4.2", ContextPath = "/bitbucket" });
    }

    public async Task DisposeAsync()
    {
        if (context is not null)
        {
            await context.CloseAsync();
        }
        if (host is not null)
        {
            await host.DisposeAsync();
        }
        await oldServer.DisposeAsync();
        await newServer.DisposeAsync();
    }

    [Fact]
    public async Task An_administrator_opens_an_integration_edits_its_name_and_Base_URL_and_then_deletes_it()
    {
        host = new PortalHost();
        var integrationId = Guid.NewGuid();
        host.Start();
        await host.Services.CreateIntegrationAsync(new NewIntegration(integrationId, Name, BitbucketServerPlatform.KindOf.Key, oldServer.BaseUrl,
            "8.9.1", OAuthVersion.OAuth2, "00112233445566778899aabbccddeeff", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
        var page = await browser.NewPageAsync();
        context = page.Context;
        await page.GotoAsync(host.SetupLink);
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations");
        await page.WaitForInteractiveAsync();

        // From the list to the integration's own page.
        await page.GetByRole(AriaRole.Link, new() { Name = $"{Name}: settings and actions" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations/{integrationId}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = Name, Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Callback URL / Redirect URL", new() { Exact = true })).ToHaveValueAsync(CallbackUrl.For(host.BaseUrl, integrationId));
        await page.ScreenshotToAsync("70-integration-page.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, an integration's page");

        // Edit: a new name, and a Base URL checked live as in the wizard.
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations/{integrationId}/edit");
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByTestId("detected-version")).ToContainTextAsync("8.9.1");
        await page.AssertNoAccessibilityViolationsAsync("setup session, the edit page as loaded");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true }).FillAsync("Acme Data Center");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Base URL", Exact = true }).FillAsync(newServer.BaseUrl);
        await Assertions.Expect(page.GetByTestId("detected-version")).ToContainTextAsync("9.4.2");
        await Assertions.Expect(page.GetByTestId("fixed-callback-url")).ToHaveTextAsync(CallbackUrl.For(host.BaseUrl, integrationId));
        // A move by default: people keep their accounts unless the admin says it is another server.
        var differentServer = page.GetByRole(AriaRole.Checkbox, new() { Name = "This is a different Bitbucket, not the same one at a new address" });
        await Assertions.Expect(differentServer).Not.ToBeCheckedAsync();
        await Assertions.Expect(differentServer).ToHaveAccessibleDescriptionAsync(new Regex("unlinks the accounts that signed in through this integration"));
        // A new Client ID needs the secret that goes with it: both typed key by key, faster than the server answers.
        var clientId = page.GetByRole(AriaRole.Textbox, new() { Name = "Client ID", Exact = true });
        await clientId.FillAsync("");
        await clientId.PressSequentiallyAsync(NewClientId);
        await Assertions.Expect(page.GetByTestId("secret-required")).ToBeVisibleAsync();
        var secret = page.GetByLabel("Client Secret", new() { Exact = true });
        await Assertions.Expect(secret).ToHaveAttributeAsync("type", "password");
        await secret.PressSequentiallyAsync(NewClientSecret);
        await Assertions.Expect(clientId).ToHaveValueAsync(NewClientId);
        await Assertions.Expect(secret).ToHaveValueAsync(NewClientSecret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show Client Secret" }).ClickAsync();
        await Assertions.Expect(secret).ToHaveAttributeAsync("type", "text");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hide Client Secret" }).ClickAsync();
        await Assertions.Expect(secret).ToHaveAttributeAsync("type", "password");
        await page.ScreenshotToAsync("71-edit-integration.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, the edit page with a new Base URL checked");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        await page.WaitForURLAsync($"{host.BaseUrl}/integrations/{integrationId}?edited=1");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Data Center", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("edit-saved")).ToContainTextAsync("Your changes were saved");
        await Assertions.Expect(page.GetByTestId("integration-details")).ToContainTextAsync(newServer.BaseUrl);
        await Assertions.Expect(page.GetByTestId("integration-details")).ToContainTextAsync("9.4.2");
        await Assertions.Expect(page.GetByTestId("integration-details")).ToContainTextAsync(NewClientId);
        Assert.Equal(NewClientSecret, await StoredClientSecretAsync(integrationId));
        await page.AssertNoAccessibilityViolationsAsync("setup session, an integration's page after an edit");

        // Delete, confirmed by typing the name.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        var confirm = dialog.GetByRole(AriaRole.Button, new() { Name = "Delete integration" });
        await Assertions.Expect(confirm).ToBeDisabledAsync();
        await dialog.GetByLabel("Type the integration's name to confirm").FillAsync("Acme Data Center");
        await Assertions.Expect(confirm).ToBeEnabledAsync();
        await page.ScreenshotToAsync("72-delete-integration.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, the delete dialog with the name typed");
        await confirm.ClickAsync();

        await page.WaitForURLAsync($"{host.BaseUrl}/integrations");
        await Assertions.Expect(page.GetByText("\"Acme Data Center\" was deleted.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("no-integrations")).ToBeVisibleAsync();
        await page.ScreenshotToAsync("73-integration-deleted.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Integrations after a delete");
    }

    private async Task<string?> StoredClientSecretAsync(Guid integrationId)
    {
        await using var scope = host!.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var stored = await db.Integrations.AsNoTracking().SingleAsync(i => i.Id == integrationId);
        return scope.ServiceProvider.GetRequiredService<SecretProtector>().TryUnprotect(SecretPurpose.ClientSecret, stored.ProtectedClientSecret);
    }
}
