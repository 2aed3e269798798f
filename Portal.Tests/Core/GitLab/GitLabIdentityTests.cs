using System.Net;
using System.Text;
using Portal.Core.Platforms.GitLabSelfManaged;
using Portal.Tests.Core.OAuth1;

namespace Portal.Tests.Core.GitLab;

/// <summary>What <see cref="GitLabSelfManagedPlatform.IdentifyAsync"/> makes of answers the GitLab fake does not give.</summary>
public sealed class GitLabIdentityTests
{
    private static Task<Portal.Core.Platforms.IdentityLookup> IdentifyAsync(HttpStatusCode status, string json)
    {
        var handler = new StubHttpHandler(_ => new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        var platform = new GitLabSelfManagedPlatform(null!, new GitLabApiReader(new HttpClient(handler)));
        return platform.IdentifyAsync("https://gitlab.example.com", _ => Task.CompletedTask, CancellationToken.None);
    }

    [Fact]
    public async Task An_account_gitlab_answers_for_although_it_is_not_active_is_not_signed_in()
    {
        // JiHu GitLab, and proxies that cache, answer /api/v4/user for blocked accounts.
        var lookup = await IdentifyAsync(HttpStatusCode.OK, """{"id":7,"username":"mallory","name":"Mallory","state":"blocked"}""");

        Assert.False(lookup.Succeeded);
        Assert.True(lookup.AccountRefused);
        Assert.Contains("GitLab says the account @mallory is blocked, not active", lookup.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task A_gitlab_outage_during_the_user_lookup_is_server_trouble_not_an_unknown_identity(HttpStatusCode status)
    {
        var lookup = await IdentifyAsync(status, """{"message":"busy"}""");

        Assert.False(lookup.Succeeded);
        Assert.True(lookup.ServerTrouble);
    }

    [Fact]
    public async Task A_403_without_gitlab_s_message_is_something_in_front_of_gitlab_not_the_person_s_account()
    {
        var lookup = await IdentifyAsync(HttpStatusCode.Forbidden, "<html><body>Access denied by policy</body></html>");

        Assert.False(lookup.AccountRefused);
        Assert.Contains("a proxy, firewall or IP allow-list in front of GitLab", lookup.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_tells_the_person_to_do_what_gitlab_asks_in_gitlab_first()
    {
        var lookup = await IdentifyAsync(HttpStatusCode.Forbidden, """{"message":"403 Forbidden - You (@ada) must accept the Terms of Service in order to perform this action."}""");

        Assert.True(lookup.AccountRefused); // the person is told to act in GitLab, not to try again
        Assert.Contains("must accept the Terms of Service", lookup.Failure, StringComparison.Ordinal);
        Assert.Contains("Open GitLab in a browser and sign in there", lookup.Failure, StringComparison.Ordinal);
    }
}
