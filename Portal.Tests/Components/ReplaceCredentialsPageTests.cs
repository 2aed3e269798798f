using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Platforms.GitLabSelfManaged;
using Portal.Core.Platforms;
using Bunit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.Security;
using Portal.Features.Integrations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components;

/// <summary>The Replace Client Secret / Replace key pair page: pending credentials, verify with them, discard.</summary>
public sealed class ReplaceCredentialsPageTests : MudTestBase
{
    private const string CurrentSecret = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string NewSecret = "2222222222222222222222222222222222222222222222222222222222222222";
    private readonly TestDatabase database = new();
    private readonly Guid id = Guid.NewGuid();

    protected override void ConfigureServices(IServiceCollection services)
    {
        database.Register(services);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new SecretProtector(new EphemeralDataProtectionProvider()));
        services.AddScoped<IntegrationValidator>();
        services.AddPlatformsForTests();
        services.AddScoped<IntegrationService>();
        services.AddScoped<CredentialReplacementService>();
        services.AddVerifyPanel();
        services.AddSingleton(Options.Create(new PortalOptions { PublicUrl = "https://portal.example.com" }));
        services.AddTestAuthorization();
    }

    public override async Task InitializeAsync() => Auth.SignInAs(await Ctx.Services.AdministratorAsync());

    [Fact]
    public async Task A_pasted_secret_becomes_pending_is_never_shown_and_offers_verify_with_it()
    {
        await AddIntegrationAsync(OAuthVersion.OAuth2);
        var cut = Ctx.Render<ReplaceCredentials>(p => p.Add(c => c.IntegrationId, id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#new-client-secret")));
        Assert.Equal("password", cut.Find("#new-client-secret").GetAttribute("type"));

        cut.Find("#new-client-secret").Input(NewSecret);
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Save as pending").Click();

        cut.WaitForAssertion(() => Assert.Contains("Sign-ins still use the current one", cut.Find("[data-testid=pending-note]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#new-client-secret"));
        Assert.DoesNotContain(NewSecret, cut.Markup, StringComparison.Ordinal);
        var form = cut.Find($"form[action='/signin/verify/{id}/new-credentials']");
        Assert.Equal("_blank", form.GetAttribute("target"));
        Assert.Equal("Verify with the new secret", form.QuerySelector("button")!.TextContent.Trim());
        await using var db = database.CreateContext();
        var stored = await db.CredentialReplacements.SingleAsync();
        Assert.Equal(NewSecret, Ctx.Services.GetRequiredService<SecretProtector>().TryUnprotect(SecretPurpose.ClientSecret, stored.ProtectedClientSecret!));
    }

    [Fact]
    public async Task Pasting_the_secret_in_use_says_so_under_the_field_keeps_what_was_typed_and_can_show_it()
    {
        await AddIntegrationAsync(OAuthVersion.OAuth2);
        var cut = Ctx.Render<ReplaceCredentials>(p => p.Add(c => c.IntegrationId, id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#new-client-secret")));

        cut.Find("#new-client-secret").Input(CurrentSecret);
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Save as pending").Click();

        cut.WaitForAssertion(() => Assert.Contains("the integration uses already", cut.Find("#new-client-secret-messages").TextContent, StringComparison.Ordinal));
        Assert.Contains("new-client-secret-messages", cut.Find("#new-client-secret").GetAttribute("aria-describedby"), StringComparison.Ordinal);
        Assert.Equal(CurrentSecret, cut.Find("#new-client-secret").GetAttribute("value"));
        await using (var db = database.CreateContext())
        {
            Assert.Empty(await db.CredentialReplacements.ToListAsync());
        }

        // Showing the secret lets the administrator check what was pasted; changing it retracts the refusal.
        cut.Find("button[aria-label='Show the pasted value']").Click();
        Assert.Equal("text", cut.Find("#new-client-secret").GetAttribute("type"));
        cut.Find("#new-client-secret").Input(NewSecret);
        Assert.Empty(cut.Find("#new-client-secret-messages").TextContent.Trim());
        cut.Find("button[aria-label='Hide the pasted value']").Click();
        Assert.Equal("password", cut.Find("#new-client-secret").GetAttribute("type"));
    }

    [Fact]
    public async Task The_last_failure_is_shown_and_discarding_brings_the_form_back()
    {
        await AddIntegrationAsync(OAuthVersion.OAuth2, pending: new CredentialReplacement
        {
            IntegrationId = id, ProtectedClientSecret = "x", StartedAt = DateTimeOffset.UtcNow,
            LastFailure = "The token step failed: Bitbucket refused the Client Secret.", LastFailedAt = DateTimeOffset.UtcNow,
        });
        var cut = Ctx.Render<ReplaceCredentials>(p => p.Add(c => c.IntegrationId, id));
        cut.WaitForAssertion(() => Assert.Contains("The token step failed", cut.Find("[data-testid=last-failure]").TextContent, StringComparison.Ordinal));
        Assert.Contains("the current one stays in use", cut.Find("[data-testid=last-failure]").TextContent, StringComparison.Ordinal);

        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Discard the new Client Secret").Click();
        // Bitbucket keeps one secret: if it issued this one, the current one no longer works there, which the question says.
        cut.WaitForAssertion(() => Assert.Contains("If Bitbucket already issued this new Client Secret, it no longer accepts the current one",
            cut.Find(".mud-dialog").TextContent, StringComparison.Ordinal));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Discard it").Click();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#new-client-secret")));
        Assert.Empty(cut.FindAll("[data-testid=last-failure]"));
        await using var db = database.CreateContext();
        Assert.Empty(await db.CredentialReplacements.ToListAsync());
    }

    [Fact]
    public async Task OAuth1_generating_a_key_pair_shows_the_new_public_key_to_copy_and_verify_with_it()
    {
        await AddIntegrationAsync(OAuthVersion.OAuth1);
        var cut = Ctx.Render<ReplaceCredentials>(p => p.Add(c => c.IntegrationId, id));
        cut.WaitForAssertion(() => Assert.Contains("Replace the key pair of Acme Bitbucket", cut.Find("h1").TextContent, StringComparison.Ordinal));

        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Generate a new key pair").Click();

        cut.WaitForAssertion(() => Assert.StartsWith("-----BEGIN PUBLIC KEY-----", cut.Find("#replacement-public-key").TextContent, StringComparison.Ordinal));
        Assert.NotNull(cut.Find("button[aria-label='Copy New Public Key']"));
        Assert.Equal("consumer-key-1", cut.Find("#replacement-consumer-key").GetAttribute("value"));
        Assert.Equal("Verify with the new key pair", cut.Find($"form[action='/signin/verify/{id}/new-credentials'] button").TextContent.Trim());
        Assert.DoesNotContain("PRIVATE KEY", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discarding_a_new_key_pair_asks_first_and_keep_it_keeps_it()
    {
        await AddIntegrationAsync(OAuthVersion.OAuth1);
        var cut = Ctx.Render<ReplaceCredentials>(p => p.Add(c => c.IntegrationId, id));
        cut.WaitForElement("h1");
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Generate a new key pair").Click();
        cut.WaitForElement("#replacement-public-key");

        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Discard the new key pair").Click();
        cut.WaitForAssertion(() => Assert.Contains("sign-ins through this integration fail from then on", cut.Find(".mud-dialog").TextContent, StringComparison.Ordinal));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Keep it").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".mud-dialog")));
        await using (var db = database.CreateContext())
        {
            Assert.Single(await db.CredentialReplacements.ToListAsync());
        }

        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Discard the new key pair").Click();
        cut.WaitForElement(".mud-dialog");
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Discard it").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#replacement-public-key")));
        await using var after = database.CreateContext();
        Assert.Empty(await after.CredentialReplacements.ToListAsync());
    }

    [Fact]
    public async Task A_GitLab_integration_s_page_speaks_of_GitLab_s_Secret_and_OAuth_application()
    {
        await using (var db = database.CreateContext())
        {
            db.Integrations.Add(new Integration { Platform = GitLabSelfManagedPlatform.KindOf.Key, Id = id, Name = "Acme GitLab", BaseUrl = "https://gitlab.example.com",
                ServerVersion = "17.5.0", ClientId = "x", ProtectedClientSecret = Ctx.Services.GetRequiredService<SecretProtector>().Protect(SecretPurpose.ClientSecret, CurrentSecret) });
            await db.SaveChangesAsync();
        }
        var cut = Ctx.Render<ReplaceCredentials>(p => p.Add(c => c.IntegrationId, id));
        cut.WaitForAssertion(() => Assert.Equal("Replace the Secret of Acme GitLab", cut.Find("h1").TextContent.Trim()));

        Assert.Equal("New Secret", cut.Find("label[for=new-client-secret]").TextContent.Trim());
        Assert.Contains("Paste the new Secret of the OAuth application here.", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("application link", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Client Secret", cut.Markup, StringComparison.Ordinal);

        cut.Find("#new-client-secret").Input(CurrentSecret);
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Save as pending").Click();
        cut.WaitForAssertion(() => Assert.Contains("This is the Secret the integration uses already", cut.Find("[data-testid=new-secret-form]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void An_integration_that_does_not_exist_says_so()
    {
        var cut = Ctx.Render<ReplaceCredentials>(p => p.Add(c => c.IntegrationId, Guid.NewGuid()));

        cut.WaitForAssertion(() => Assert.Contains("does not exist", cut.Find("[data-testid=integration-missing]").TextContent, StringComparison.Ordinal));
    }

    private async Task AddIntegrationAsync(OAuthVersion version, CredentialReplacement? pending = null)
    {
        var protector = Ctx.Services.GetRequiredService<SecretProtector>();
        await using var db = database.CreateContext();
        db.Integrations.Add(version == OAuthVersion.OAuth2
            ? new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = id, Name = "Acme Bitbucket", BaseUrl = "https://b.example.com", ServerVersion = "8.9.1", ClientId = "x",
                ProtectedClientSecret = protector.Protect(SecretPurpose.ClientSecret, CurrentSecret) }
            : new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = id, Name = "Acme Bitbucket", BaseUrl = "https://b.example.com", ServerVersion = "7.17.0", OAuthVersion = OAuthVersion.OAuth1,
                ConsumerKey = "consumer-key-1", PublicKeyPem = "-----BEGIN PUBLIC KEY-----\nold\n-----END PUBLIC KEY-----", ProtectedPrivateKey = "x" });
        if (pending is not null)
        {
            db.CredentialReplacements.Add(pending);
        }
        await db.SaveChangesAsync();
    }
}
