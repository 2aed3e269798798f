using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Platforms.GitLabSelfManaged;
using Portal.Features.Integrations.Wizard;
using Portal.Tests.Fakes.GitLab;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Wizard;

/// <summary>The wizard for GitLab Self-Managed: GitLab's detection, GitLab's steps and GitLab's words for the credentials.</summary>
public sealed class GitLabWizardTests : WizardTestBase
{
    private const string ApplicationId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Secret = "gloas-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    private readonly List<GitLabFake> gitLabs = [];

    protected override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddIntegrationManagement();
        services.AddVerifyPanel();
    }

    private async Task<GitLabFake> StartGitLabAsync(string root = "/gitlab")
    {
        var gitLab = await GitLabFake.StartAsync(new GitLabFakeOptions { RelativeUrlRoot = root });
        gitLabs.Add(gitLab);
        return gitLab;
    }

    private async Task<IRenderedComponent<AddIntegration>> ChooseGitLabAsync(GitLabFake gitLab)
    {
        var cut = Ctx.Render<AddIntegration>();
        cut.WaitForElement("[data-testid=interactive]");
        cut.Find("input#integration-name").Input("Acme GitLab");
        await cut.InvokeAsync(() => Draft.SetPlatformAsync(GitLabSelfManagedPlatform.KindOf.Key));
        cut.Find("input#integration-base-url").Input(gitLab.BaseUrl);
        return cut;
    }

    [Fact]
    public async Task Both_platforms_are_offered_and_GitLab_is_found_through_its_discovery_document()
    {
        var gitLab = await StartGitLabAsync();

        var cut = await ChooseGitLabAsync(gitLab);

        WaitForText(cut, "[data-testid=detected-version]", "GitLab");
        Assert.Contains("OAuth 2", cut.Find("[data-testid=detected-oauth]").TextContent, StringComparison.Ordinal);
        Assert.Contains("tells its version only after a sign-in", cut.Find("[data-testid=check-found-hint]").TextContent, StringComparison.Ordinal);
        Assert.True(gitLab.DiscoveryRequests >= 1);
        Assert.Empty(cut.FindAll("[data-testid=oauth-version-choice]"));
        Assert.Empty(cut.FindAll("[data-testid=oauth1-required]"));
        // GitLab's OAuth 2 works over http (the fake serves http): no https warning, which Bitbucket's would get.
        Assert.Empty(cut.FindAll("[data-testid=base-url-warning]"));
        var offered = Ctx.Services.GetRequiredService<PlatformCatalog>().All.Select(p => p.Kind.DisplayName);
        Assert.Equal(["Bitbucket Data Center / Server", "GitLab Self-Managed"], offered);
    }

    [Fact]
    public async Task A_Base_URL_without_the_relative_URL_root_is_refused_and_says_to_add_it()
    {
        var gitLab = await StartGitLabAsync();

        var cut = await ChooseGitLabAsync(gitLab);
        cut.Find("input#integration-base-url").Input(gitLab.BaseUrl[..^"/gitlab".Length]);

        WaitForText(cut, "[data-testid=check-failed]", "No GitLab answers at");
        Assert.Contains("relative URL root", cut.Find("[data-testid=check-failed]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("input#integration-client-secret"));
    }

    [Fact]
    public async Task The_steps_are_GitLab_s_and_the_credentials_carry_GitLab_s_labels_until_the_integration_is_created()
    {
        var gitLab = await StartGitLabAsync();
        var cut = await ChooseGitLabAsync(gitLab);
        WaitForText(cut, "[data-testid=detected-version]", "GitLab");

        var steps = cut.WaitForElement("[data-testid=platform-steps]").TextContent;
        Assert.Contains("Redirect URI", steps, StringComparison.Ordinal);
        Assert.Contains("Confidential", steps, StringComparison.Ordinal);
        Assert.Contains("read_user", steps, StringComparison.Ordinal);
        Assert.Contains("Application ID", steps, StringComparison.Ordinal);
        Assert.Equal($"{gitLab.BaseUrl}/admin/applications/new", cut.Find("[data-testid=applinks-link]").GetAttribute("href"));
        Assert.Contains("Application ID and Secret", cut.Find("[data-testid=step-credentials]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Application ID", cut.Find("label[for=integration-client-id]").TextContent.Trim());
        Assert.Equal("Secret", cut.Find("label[for=integration-client-secret]").TextContent.Trim());

        cut.Find("input#integration-client-id").Input(ApplicationId);
        cut.Find("input#integration-client-secret").Input(Secret);
        await cut.InvokeAsync(() => cut.Find("button:contains('Create Integration')").Click());

        var navigation = Ctx.Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith("/integrations?created=Acme%20GitLab", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await using var db = Database.CreateContext();
        var stored = await db.Integrations.SingleAsync();
        Assert.Equal(GitLabSelfManagedPlatform.KindOf.Key, stored.Platform);
        Assert.Equal(OAuthVersion.OAuth2, stored.OAuthVersion);
        Assert.Null(stored.ServerVersion);
        Assert.Equal(ApplicationId, stored.ClientId);
        Assert.Equal(gitLab.BaseUrl, stored.BaseUrl);
    }

    [Fact]
    public async Task A_pasted_Application_ID_of_the_wrong_shape_gets_GitLab_s_hint_without_blocking()
    {
        var gitLab = await StartGitLabAsync();
        var cut = await ChooseGitLabAsync(gitLab);
        WaitForText(cut, "[data-testid=detected-version]", "GitLab");

        cut.WaitForElement("input#integration-client-id").Input("acme-portal");

        WaitForText(cut, "#client-id-messages", "GitLab's Application IDs are 64 hexadecimal characters");
        Assert.Empty(cut.FindAll("#client-id-messages [data-testid=field-error]"));
    }

    [Fact]
    public async Task The_edit_page_checks_a_GitLab_integration_with_GitLab_s_check_and_keeps_its_platform_and_verification()
    {
        var gitLab = await StartGitLabAsync();
        var created = await Ctx.Services.CreateIntegrationAsync(new NewIntegration(Guid.NewGuid(), "Acme GitLab", GitLabSelfManagedPlatform.KindOf.Key,
            gitLab.BaseUrl, null, OAuthVersion.OAuth2, ApplicationId, Secret, ServerDetected: true));
        await using (var db = Database.CreateContext())
        {
            await db.Integrations.Where(i => i.Id == created.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.Verification, IntegrationVerification.Verified).SetProperty(i => i.ServerVersion, "17.5.1-ee"));
        }
        var cut = Ctx.Render<Portal.Features.Integrations.EditIntegration>(p => p.Add(x => x.Id, created.Id));
        cut.WaitForElement("[data-testid=interactive]", TimeSpan.FromSeconds(10));

        WaitForText(cut, "[data-testid=detected-version]", "GitLab");
        Assert.Equal("Application ID", cut.Find("label[for=integration-client-id]").TextContent.Trim());
        cut.Find("input#integration-name").Input("Acme GitLab EU");
        await cut.InvokeAsync(() => cut.Find("button:contains('Save changes')").Click());

        var navigation = Ctx.Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.EndsWith($"/integrations/{created.Id}?edited=1", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await using var check = Database.CreateContext();
        var stored = await check.Integrations.SingleAsync();
        Assert.Equal(("Acme GitLab EU", GitLabSelfManagedPlatform.KindOf.Key, IntegrationVerification.Verified, "17.5.1-ee"),
            (stored.Name, stored.Platform, stored.Verification, stored.ServerVersion));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var gitLab in gitLabs)
        {
            await gitLab.DisposeAsync();
        }
    }
}
