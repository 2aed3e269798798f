using Portal.Tests.Infrastructure;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Platforms;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Integrations;
using Portal.Core.Security;
using Portal.Features.Integrations.Wizard;
using Portal.Tests.Fakes;

namespace Portal.Tests.Components.Wizard;

public sealed class AddIntegrationTests : WizardTestBase
{
    private const string ClientId = "0123456789abcdef0123456789abcdef";
    private const string ClientSecret = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    private async Task<IRenderedComponent<AddIntegration>> FillWizardAsync(BitbucketFake fake, string name = "Acme Bitbucket")
    {
        var cut = Ctx.Render<AddIntegration>();
        cut.WaitForElement("[data-testid=interactive]");
        cut.Find("input#integration-name").Input(name);
        cut.Find("input#integration-base-url").Input(fake.BaseUrl);
        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket");
        cut.WaitForElement("input#integration-client-id").Input(ClientId);
        cut.Find("input#integration-client-secret").Input(ClientSecret);
        await Task.CompletedTask;
        return cut;
    }

    [Fact]
    public async Task Before_bitbucket_is_found_no_secret_is_asked_for()
    {
        var cut = Ctx.Render<AddIntegration>();

        cut.WaitForElement("[data-testid=waiting-for-server]");
        Assert.Empty(cut.FindAll("input#integration-client-secret"));
        Assert.Empty(cut.FindAll("input#integration-callback-url"));
        Assert.Empty(cut.FindAll("button:contains('Create Integration')"));
    }

    [Fact]
    public void Start_over_asks_in_the_page_s_own_dialog_and_clears_the_draft_and_the_page_carries_no_popover_provider()
    {
        var cut = Ctx.Render<AddIntegration>();
        cut.WaitForElement("[data-testid=interactive]");
        cut.Find("input#integration-name").Input("Acme Bitbucket");

        cut.WaitForElement("button:contains('Start over')").Click();
        cut.WaitForElement(".mud-dialog button:contains('Start over')", TimeSpan.FromSeconds(10)).Click();

        cut.WaitForAssertion(() => Assert.Equal("", cut.Find("input#integration-name").GetAttribute("value")), TimeSpan.FromSeconds(10));
        Assert.Equal("", Draft.Name);
        Assert.NotNull(cut.Find(".mud-snackbar-provider, #mud-snackbar-container"));
        Assert.Empty(cut.FindAll(".mud-popover-provider"));
    }

    [Fact]
    public async Task Creating_stores_the_secret_encrypted_and_never_renders_it_again()
    {
        var fake = await StartFakeAsync();
        var cut = await FillWizardAsync(fake);
        var draftId = Draft.Id;

        // Found and clicked in one renderer turn: the live check may re-render the form in between otherwise.
        await cut.InvokeAsync(() => cut.Find("button:contains('Create Integration')").Click());

        var navigation = Ctx.Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith("/integrations?created=Acme%20Bitbucket", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(ClientSecret, cut.Markup, StringComparison.Ordinal);
        await using var db = Database.CreateContext();
        var stored = await db.Integrations.SingleAsync();
        Assert.Equal(draftId, stored.Id);
        Assert.Equal("8.9.1", stored.ServerVersion);
        Assert.Equal(IntegrationVerification.NotVerified, stored.Verification);
        Assert.DoesNotContain(ClientSecret, stored.ProtectedClientSecret, StringComparison.Ordinal);
        Assert.Equal(ClientSecret, Ctx.Services.GetRequiredService<SecretProtector>().TryUnprotect(SecretPurpose.ClientSecret, stored.ProtectedClientSecret));
        Assert.NotEqual(draftId, Draft.Id);
    }

    [Fact]
    public async Task A_browser_that_went_away_while_the_draft_is_forgotten_does_not_undo_a_created_integration()
    {
        Ctx.JSInterop.SetupVoid("sessionStorage.removeItem", _ => true).SetException(new Microsoft.JSInterop.JSDisconnectedException("The circuit's connection is gone."));
        var fake = await StartFakeAsync();
        var cut = await FillWizardAsync(fake);

        await cut.InvokeAsync(() => cut.Find("button:contains('Create Integration')").Click());

        var navigation = Ctx.Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith("/integrations?created=Acme%20Bitbucket", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Equal(1, Ctx.JSInterop.Invocations.Count(i => i.Identifier == "sessionStorage.removeItem"));
    }

    [Fact]
    public async Task The_server_runs_the_rules_again_and_keeps_what_was_typed()
    {
        var fake = await StartFakeAsync();
        var cut = await FillWizardAsync(fake);
        await using (var db = Database.CreateContext())
        {
            db.Integrations.Add(new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = Guid.NewGuid(), Name = "Acme Bitbucket", BaseUrl = "https://b.example.com", ClientId = "x", ProtectedClientSecret = "x" });
            await db.SaveChangesAsync();
        }

        // Found and clicked in one renderer turn: the live check may re-render the form in between otherwise.
        await cut.InvokeAsync(() => cut.Find("button:contains('Create Integration')").Click());

        WaitForText(cut, "[data-testid=create-errors]", "already exists");
        Assert.Equal("Acme Bitbucket", cut.Find("input#integration-name").GetAttribute("value"));
        Assert.Equal(ClientId, cut.Find("input#integration-client-id").GetAttribute("value"));

        // Renaming it answers that error: the box about the earlier values goes.
        cut.Find("input#integration-name").Input("Acme Bitbucket EU");
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=create-errors]")), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_bitbucket_older_than_7_21_gets_the_oauth_1_values_and_the_private_key_stays_encrypted()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Version = "7.17.0" });
        var cut = Ctx.Render<AddIntegration>();
        cut.Find("input#integration-name").Input("Old Bitbucket");

        cut.Find("input#integration-base-url").Input(fake.BaseUrl);

        WaitForText(cut, "[data-testid=check-found]", "OAuth 2 application links need Bitbucket 7.21");
        cut.WaitForElement("[data-testid=oauth1-required]");
        var keys = Draft.OAuth1Keys!;
        Assert.Equal(PublicUrl, cut.Find("input#oauth1-application-url").GetAttribute("value"));
        Assert.Equal("Old Bitbucket", cut.Find("input#oauth1-application-name").GetAttribute("value"));
        Assert.Equal("Generic Application", cut.Find("input#oauth1-application-type").GetAttribute("value"));
        Assert.Equal(keys.ConsumerKey, cut.Find("input#oauth1-consumer-key").GetAttribute("value"));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", cut.Find("textarea#oauth1-public-key").TextContent.Trim() is { Length: > 0 } text ? text : cut.Find("textarea#oauth1-public-key").GetAttribute("value"), StringComparison.Ordinal);
        Assert.NotNull(cut.Find("[aria-label='Copy Public Key']"));
        Assert.Contains("leave it empty", cut.Find("[data-testid=oauth1-callback-note]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Atlassian product", cut.Find("[data-testid=platform-steps]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("input#integration-client-secret"));
        Assert.DoesNotContain("PRIVATE KEY", cut.Markup, StringComparison.Ordinal);
        using (var rsa = System.Security.Cryptography.RSA.Create())
        {
            rsa.ImportFromPem(keys.PublicKeyPem);
            Assert.Equal(2048, rsa.KeySize);
        }

        // Found and clicked in one renderer turn: the live check may re-render the form in between otherwise.
        await cut.InvokeAsync(() => cut.Find("button:contains('Create Integration')").Click());

        var navigation = Ctx.Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.Contains("/integrations?created=", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await using var db = Database.CreateContext();
        var stored = await db.Integrations.SingleAsync();
        Assert.Equal(OAuthVersion.OAuth1, stored.OAuthVersion);
        Assert.Equal(keys.ConsumerKey, stored.ConsumerKey);
        Assert.Equal(keys.PublicKeyPem, stored.PublicKeyPem);
        Assert.DoesNotContain("PRIVATE KEY", stored.ProtectedPrivateKey!, StringComparison.Ordinal);
        Assert.Equal(keys.PrivateKeyPem, Ctx.Services.GetRequiredService<SecretProtector>().TryUnprotect(SecretPurpose.PrivateKey, stored.ProtectedPrivateKey!));
    }

    [Fact]
    public async Task Choosing_oauth_1_on_a_newer_server_warns_and_says_to_pick_atlassian_product()
    {
        var fake = await StartFakeAsync();
        var cut = Ctx.Render<AddIntegration>();
        cut.Find("input#integration-base-url").Input(fake.BaseUrl);
        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket 8.9.1");

        await cut.InvokeAsync(() => Draft.ChooseOAuthVersionAsync(OAuthVersion.OAuth1));

        WaitForText(cut, "[data-testid=oauth1-on-new-server]", "from Bitbucket 8");
        Assert.DoesNotContain("Packagist", cut.Find("[data-testid=oauth1-on-new-server]").TextContent, StringComparison.Ordinal);
        Assert.Contains("choose Atlassian product, not \"External application\"", cut.Find("[data-testid=platform-steps]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("input#integration-client-id"));
        Assert.NotNull(cut.Find("input#oauth1-consumer-key"));
    }

    [Fact]
    public async Task A_draft_restored_from_the_session_keeps_everything_but_the_secret()
    {
        var fake = await StartFakeAsync();
        var id = Guid.NewGuid();
        var cut = Ctx.Render<AddIntegration>();

        await cut.InvokeAsync(() => Draft.RestoreAsync(new DraftSnapshot(id, "Restored", BitbucketServerPlatform.KindOf.Key, fake.BaseUrl, ClientId)));

        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket 8.9.1");
        Assert.Equal("Restored", cut.Find("input#integration-name").GetAttribute("value"));
        Assert.Equal($"{PublicUrl}/signin/callback/{id:N}", cut.Find("input#integration-callback-url").GetAttribute("value"));
        Assert.Equal(ClientId, cut.Find("input#integration-client-id").GetAttribute("value"));
        Assert.True(string.IsNullOrEmpty(cut.Find("input#integration-client-secret").GetAttribute("value")));
        Assert.DoesNotContain("ClientSecret", System.Text.Json.JsonSerializer.Serialize(Draft.ToSnapshot()), StringComparison.Ordinal);
    }
}

/// <summary>The wizard over a database that yields while it answers, as PostgreSQL across a network does.</summary>
public sealed class AddIntegrationOverAYieldingDatabaseTests : WizardTestBase
{
    protected override Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] DatabaseInterceptors => [new YieldingConnections()];

    [Fact]
    public async Task Create_clicked_while_a_new_base_url_is_still_being_validated_does_not_use_the_previous_url_s_check()
    {
        var fake = await StartFakeAsync();
        var cut = Ctx.Render<AddIntegration>();
        cut.WaitForElement("[data-testid=interactive]");
        cut.Find("input#integration-name").Input("Acme Bitbucket");
        cut.Find("input#integration-base-url").Input(fake.BaseUrl);
        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket");
        cut.WaitForElement("input#integration-client-id").Input("client-id");
        cut.Find("input#integration-client-secret").Input("client-secret");
        var actor = await Ctx.Services.AdministratorAsync();

        var created = await Ctx.Renderer.Dispatcher.InvokeAsync(async () =>
        {
            var typing = Draft.SetBaseUrlAsync("https://elsewhere.example.com");
            var result = await Draft.CreateAsync(actor);
            await typing;
            return result;
        });

        Assert.False(created.Succeeded && created.Value.Succeeded, "created with the check of another address");
        await using var db = Database.CreateContext();
        Assert.Empty(await db.Integrations.ToListAsync());
    }
}
