using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Platforms.GitLabSelfManaged;
using Portal.Tests.Fakes.GitLab;

namespace Portal.Tests.Infrastructure;

public sealed partial class SignInScenario
{
    public const string GitLabIntegrationName = "Acme GitLab";

    /// <summary>The OAuth application registered at the GitLab fake (its real Application ID and Secret).</summary>
    public GitLabFakeApplication? GitLabApplication { get; private set; }

    /// <summary>The GitLab fake, when the scenario runs against GitLab Self-Managed.</summary>
    public GitLabFake? GitLab { get; private set; }

    /// <summary>
    /// Starts a portal with a GitLab Self-Managed integration pointing at <paramref name="gitLab"/>, registers the portal
    /// there as a GitLab administrator would (Admin Area → Applications, Redirect URI = the Callback URL, read_user) and
    /// signs <paramref name="user"/> in to GitLab in "the browser". <paramref name="portalSecret"/> is what the portal
    /// administrator pasted as the Secret (default: the application's real one).
    /// </summary>
    public static async Task<SignInScenario> StartGitLabAsync(GitLabFake gitLab, GitLabFakeUser? user = null,
        Action<IServiceCollection>? configurePortalServices = null, Func<GitLabFakeApplication, GitLabFakeApplication>? application = null,
        string? portalSecret = null)
    {
        user ??= GitLabFakeUser.Ada;
        gitLab.AddUser(user);
        gitLab.SignedInUser = user;
        GitLabFakeApplication? registered = null;
        var scenario = await StartWithProviderAsync(callback =>
        {
            var created = GitLabFakeApplication.Create("Portal", callback);
            registered = gitLab.RegisterApplication(application?.Invoke(created) ?? created);
            return Task.FromResult(new ProviderRegistration(gitLab.BaseUrl, registered.ApplicationId, portalSecret ?? registered.Secret, gitLab));
        }, configurePortalServices, platform: GitLabSelfManagedPlatform.KindOf.Key, integrationName: GitLabIntegrationName);
        scenario.GitLab = gitLab;
        scenario.GitLabApplication = registered;
        return scenario;
    }

    /// <summary>GitLab's consent page (Authorize / Deny) as a person clicks through it.</summary>
    public GitLabConsentWalker GitLabBrowser => new(provider);
}
