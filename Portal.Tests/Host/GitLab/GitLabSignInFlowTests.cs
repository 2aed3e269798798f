using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Platforms.GitLabSelfManaged;
using Portal.Core.Security;
using Portal.Core.Status;
using Portal.Tests.Fakes.GitLab;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host.GitLab;

/// <summary>Sign-in, Verify, the first administrator and status for a GitLab Self-Managed integration, against the GitLab fake.</summary>
public sealed class GitLabSignInFlowTests : IAsyncLifetime
{
    private GitLabFake gitLab = null!;

    public async Task InitializeAsync() => gitLab = await GitLabFake.StartAsync(new GitLabFakeOptions { RelativeUrlRoot = "/gitlab" });

    public async Task DisposeAsync() => await gitLab.DisposeAsync();

    [Fact]
    public async Task A_sign_in_uses_PKCE_and_the_secret_in_the_body_keys_the_account_on_GitLab_s_numeric_id_and_records_the_version()
    {
        gitLab.Version = "17.5.1-ee";
        await using var scenario = await SignInScenario.StartGitLabAsync(gitLab);
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser, returnUrl: "/account");

        Assert.Equal(HttpStatusCode.Redirect, attempt.Response.StatusCode);
        Assert.Equal("/account", attempt.Response.Headers.Location!.OriginalString);
        Assert.StartsWith($"{gitLab.BaseUrl}/oauth/authorize?", attempt.AuthorizeUrl.ToString(), StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", attempt.AuthorizeUrl.Query, StringComparison.Ordinal);
        Assert.Contains("scope=read_user", attempt.AuthorizeUrl.Query, StringComparison.Ordinal);
        var exchange = Assert.Single(gitLab.TokenExchanges);
        Assert.Equal(200, exchange.Status);
        Assert.NotNull(exchange.CodeVerifier);
        Assert.Equal(scenario.Registration.ClientSecret, exchange.ClientSecret);

        var account = await browser.Http.GetStringAsync(new Uri("/account", UriKind.Relative));
        Assert.Contains("Ada Lovelace", account, StringComparison.Ordinal);
        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        Assert.Equal(GitLabFakeUser.Ada.Id, identity.ExternalUserId);
        Assert.Equal("ada", identity.Username);
        Assert.DoesNotContain(exchange.IssuedAccessToken!, identity.ProtectedAccessToken!, StringComparison.Ordinal);
        var integration = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal("17.5.1-ee", integration.ServerVersion);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_person_GitLab_refuses_is_told_to_do_what_GitLab_asks_there_rather_than_to_try_again()
    {
        await using var scenario = await SignInScenario.StartGitLabAsync(gitLab);
        gitLab.UpdateUser(GitLabFakeUser.Ada with { State = "blocked" });
        using var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser);

        var message = SignInScenario.StatusMessageIn(await scenario.PageAfterAsync(browser, attempt.Response));
        Assert.Contains("GitLab let you authorize the portal but refuses your account for now", message, StringComparison.Ordinal);
        Assert.Contains("Sign in to GitLab in a browser and do what it asks", message, StringComparison.Ordinal);
        Assert.Empty(await scenario.ExternalIdentitiesAsync());
        Assert.Contains("Your account has been blocked", (await scenario.SignInEventsAsync())[^1].FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_renamed_GitLab_user_keeps_the_same_account()
    {
        await using var scenario = await SignInScenario.StartGitLabAsync(gitLab);
        using (var before = scenario.NewBrowser())
        {
            await scenario.SignInAsync(before);
        }
        var first = Assert.Single(await scenario.UsersAsync());

        gitLab.UpdateUser(GitLabFakeUser.Ada with { Username = "alovelace", Name = "Ada King" });
        using var after = scenario.NewBrowser();
        await scenario.SignInAsync(after);

        var user = Assert.Single(await scenario.UsersAsync());
        Assert.Equal(first.Id, user.Id);
        Assert.Equal("Ada King", user.DisplayName);
        Assert.Equal("alovelace", Assert.Single(await scenario.ExternalIdentitiesAsync()).Username);
    }

    [Fact]
    public async Task The_setup_link_s_sign_in_makes_the_first_administrator_whose_Verify_names_the_GitLab_identity()
    {
        await using var scenario = await SignInScenario.StartGitLabAsync(gitLab);
        using var admin = await scenario.NewSetupBrowserAsync();

        await scenario.SignInAsync(admin);
        Assert.True(Assert.Single(await scenario.UsersAsync()).IsAdministrator);
        var verify = await scenario.SignInAsync(admin, purpose: "verify");

        var message = await scenario.StatusMessageAfterAsync(admin, verify.Response);
        Assert.Contains("works: GitLab identified you as Ada Lovelace (user name ada, id 42)", message, StringComparison.Ordinal);
        var integration = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal(IntegrationVerification.Verified, integration.Verification);
    }

    [Fact]
    public async Task A_wrong_Secret_is_refused_at_the_token_step_and_Verify_names_GitLab_s_words_for_the_fix()
    {
        await using var scenario = await SignInScenario.StartGitLabAsync(gitLab, portalSecret: "gloas-" + new string('0', 64));
        using var admin = await scenario.NewSetupBrowserAsync();

        var verify = await scenario.SignInAsync(admin, purpose: "verify");

        var message = await scenario.StatusMessageAfterAsync(admin, verify.Response);
        Assert.Contains("GitLab rejected the client secret", message, StringComparison.Ordinal);
        Assert.Contains("copy the Application ID and Secret again", message, StringComparison.Ordinal);
        Assert.Contains("OAuth application", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Bitbucket", message, StringComparison.Ordinal);
        Assert.Equal(401, Assert.Single(gitLab.TokenExchanges).Status);
    }

    [Fact]
    public async Task Replacing_a_wrong_Secret_verifies_the_new_one_with_GitLab_then_swaps_it_in()
    {
        await using var scenario = await SignInScenario.StartGitLabAsync(gitLab, portalSecret: "gloas-" + new string('0', 64));
        using var admin = await scenario.NewSetupBrowserAsync();
        var services = scenario.Host.Services;
        var started = await services.GetRequiredService<CredentialReplacementService>()
            .StartClientSecretAsync(await services.AdministratorAsync(), scenario.IntegrationId, scenario.GitLabApplication!.Secret);
        Assert.True(started.Value.Started);

        var message = await scenario.VerifyNewCredentialsAsync(admin);

        Assert.Contains("works: GitLab identified you as Ada Lovelace", message, StringComparison.Ordinal);
        Assert.Equal(scenario.GitLabApplication.Secret, gitLab.TokenExchanges[^1].ClientSecret);
        var stored = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal(scenario.GitLabApplication.Secret, services.GetRequiredService<SecretProtector>().TryUnprotect(SecretPurpose.ClientSecret, stored.ProtectedClientSecret));
        Assert.Equal(IntegrationVerification.Verified, stored.Verification);
    }

    [Fact]
    public async Task An_application_without_read_user_keeps_the_browser_on_GitLab_s_error_page_and_the_timeout_causes_name_it()
    {
        await using var scenario = await SignInScenario.StartGitLabAsync(gitLab, application: a => a with { Scopes = ["api"] });
        using var browser = scenario.NewBrowser();

        var authorize = await scenario.AuthorizeAsync(await scenario.StartSignInAsync(browser));

        // As GitLab does: its own error page, not a redirect back to the portal.
        Assert.Equal(HttpStatusCode.OK, authorize.StatusCode);
        Assert.Null(authorize.Headers.Location);
        Assert.Contains("The requested scope is invalid, unknown, or malformed.", await authorize.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(gitLab.TokenExchanges);
        var causes = string.Join(" ", scenario.Host.Services.GetRequiredService<PlatformCatalog>().Find(GitLabSelfManagedPlatform.KindOf.Key)!
            .VerifyTimeoutCauses(scenario.Registration.BaseUrl));
        Assert.Contains("\"The requested scope is invalid, unknown, or malformed\" means read_user is not selected on the application", causes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_integration_whose_platform_this_portal_does_not_offer_fails_with_a_message_not_an_error_page()
    {
        await using var scenario = await SignInScenario.StartGitLabAsync(gitLab);
        await scenario.QueryAsync(db => db.Integrations.ExecuteUpdateAsync(u => u.SetProperty(i => i.Platform, "retired-platform")));
        using var admin = await scenario.NewSetupBrowserAsync();

        var verify = await scenario.RequestStartAsync(admin, purpose: "verify");

        var message = await scenario.StatusMessageAfterAsync(admin, verify);
        Assert.Contains("platform \"retired-platform\" is not offered by this portal", message, StringComparison.Ordinal);
        var status = (await scenario.Host.Services.GetRequiredService<IntegrationStatusService>()
            .CheckNowAsync(await scenario.Host.Services.AdministratorAsync(), scenario.IntegrationId)).Value!;
        Assert.Equal(IntegrationStatus.Misconfigured, status.Status);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_GitLab_behind_a_proxy_that_refuses_well_known_is_found_by_its_API_signs_in_and_stays_healthy()
    {
        gitLab.Mode = GitLabFakeMode.DiscoveryMissing;
        await using var scenario = await SignInScenario.StartGitLabAsync(gitLab);
        var services = scenario.Host.Services;
        var platform = services.GetRequiredService<PlatformCatalog>().Find(GitLabSelfManagedPlatform.KindOf.Key)!;

        var detection = await platform.DetectAsync(gitLab.BaseUrl, CancellationToken.None);
        var provider = await platform.CheckOAuth2ProviderAsync(gitLab.BaseUrl, CancellationToken.None);
        using var browser = scenario.NewBrowser();
        var attempt = await scenario.SignInAsync(browser);
        var report = (await services.GetRequiredService<IntegrationStatusService>().CheckNowAsync(await services.AdministratorAsync(), scenario.IntegrationId)).Value!.LastReport!;

        Assert.True(detection.Found, detection.Message);
        Assert.StartsWith("Recognised by GitLab's API at /gitlab/api/v4/version: /gitlab/.well-known/openid-configuration answered 404 Not Found", detection.Hint, StringComparison.Ordinal);
        Assert.Equal(OAuth2ProviderFinding.InstalledWithoutMetadata, provider.Finding);
        Assert.Contains("could not compare GitLab's own address", provider.Message, StringComparison.Ordinal);
        Assert.Equal("/", attempt.Response.Headers.Location!.OriginalString);
        Assert.Equal(ProbeProblem.None, report.Problem);
        Assert.Equal(StepOutcome.Passed, report.Steps.Single(s => s.Step == ProbeStep.OAuthProvider).Outcome);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task The_status_check_finds_GitLab_through_its_discovery_and_reports_an_issuer_that_is_not_the_Base_URL()
    {
        await using var scenario = await SignInScenario.StartGitLabAsync(gitLab);
        var services = scenario.Host.Services;
        var admin = await services.AdministratorAsync();
        var status = services.GetRequiredService<IntegrationStatusService>();

        var healthy = (await status.CheckNowAsync(admin, scenario.IntegrationId)).Value!.LastReport!;
        Assert.Equal(ProbeProblem.None, healthy.Problem);
        Assert.Equal(StepOutcome.Passed, healthy.Steps.Single(s => s.Step == ProbeStep.Server).Outcome);
        Assert.Contains("GitLab answered in", healthy.Steps.Single(s => s.Step == ProbeStep.Server).Message, StringComparison.Ordinal);
        Assert.Equal(StepOutcome.Passed, healthy.Steps.Single(s => s.Step == ProbeStep.OAuthProvider).Outcome);

        gitLab.Issuer = "https://gitlab.example.com/gitlab";
        var moved = (await status.CheckNowAsync(admin, scenario.IntegrationId)).Value!.LastReport!;

        var server = moved.Steps.Single(s => s.Step == ProbeStep.Server);
        Assert.Equal(StepOutcome.Failed, server.Outcome);
        Assert.Contains("the Base URL must be exactly https://gitlab.example.com/gitlab", server.Message, StringComparison.Ordinal);
    }
}
