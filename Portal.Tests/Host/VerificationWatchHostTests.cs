using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.OAuth;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// Verify opens Bitbucket in a new tab; the Integrations page that started it learns through the
/// <see cref="VerificationNotifier"/> that the browser left, and how the callback went, or nothing when Bitbucket keeps
/// the browser (its error page after Allow).
/// </summary>
public sealed class VerificationWatchHostTests
{
    private static readonly string WatchId = VerificationNotifier.NewWatchId();

    [Fact]
    public async Task A_watched_verification_reports_waiting_then_the_result_the_callback_tab_shows_once()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var updates = Watch(scenario);
        using var admin = await scenario.NewSetupBrowserAsync();

        var start = await scenario.RequestVerifyAsync(admin, await scenario.AntiforgeryTokenAsync(admin), WatchId);

        var waiting = Assert.Single(updates);
        Assert.Equal((WatchId, scenario.IntegrationId, VerificationState.Waiting), (waiting.WatchId, waiting.IntegrationId, waiting.State));
        Assert.Null(waiting.Message);
        var callback = await scenario.AuthorizeToCallbackAsync(start.Headers.Location!);
        var response = await scenario.CallbackAsync(admin, callback);
        var tabMessage = await scenario.StatusMessageAfterAsync(admin, response);
        Assert.Equal(2, updates.Count);
        var done = updates.Last();
        Assert.Equal((waiting.VerificationId, VerificationState.Succeeded, waiting.StartedAt), (done.VerificationId, done.State, done.StartedAt));
        Assert.Equal(tabMessage, done.Message);
        Assert.Contains("Bitbucket identified you as Ada Lovelace (user name ada, id 101)", done.Message, StringComparison.Ordinal);

        // Reopening the callback (reload, Back) says "already used" in that tab but leaves the page's result alone.
        await scenario.CallbackAsync(admin, callback);
        Assert.Equal(2, updates.Count);
        Assert.Equal(0, scenario.Host.Services.GetRequiredService<VerificationNotifier>().PendingCount);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_watched_verification_that_fails_at_the_token_step_reports_the_tab_s_message()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { PortalClientSecret = BitbucketOAuthClient.RandomHex(32) });
        var updates = Watch(scenario);
        using var admin = await scenario.NewSetupBrowserAsync();
        var start = await scenario.RequestVerifyAsync(admin, await scenario.AntiforgeryTokenAsync(admin), WatchId);

        var response = await scenario.CallbackAsync(admin, await scenario.AuthorizeToCallbackAsync(start.Headers.Location!));

        var failed = updates.Last();
        Assert.Equal(VerificationState.Failed, failed.State);
        Assert.Equal(await scenario.StatusMessageAfterAsync(admin, response), failed.Message);
        Assert.StartsWith($"Verifying \"{SignInScenario.IntegrationName}\" failed at the token step", failed.Message, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_callback_the_portal_cannot_record_tells_the_watching_page_so_instead_of_leaving_it_waiting()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var updates = Watch(scenario);
        using var admin = await scenario.NewSetupBrowserAsync();
        var start = await scenario.RequestVerifyAsync(admin, await scenario.AntiforgeryTokenAsync(admin), WatchId);
        var callback = await scenario.AuthorizeToCallbackAsync(start.Headers.Location!);
        await using (var scope = scenario.Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Portal.Core.Persistence.PortalDbContext>();
            await db.Database.ExecuteSqlRawAsync("""ALTER TABLE "SignInEvents" RENAME TO "SignInEventsGone" """);
        }

        await scenario.CallbackAsync(admin, callback);

        var failed = updates.Last();
        Assert.Equal(VerificationState.Failed, failed.State);
        Assert.StartsWith($"Verifying \"{SignInScenario.IntegrationName}\" failed at the account step: The browser came back, but the portal could not finish the verification in its database.",
            failed.Message, StringComparison.Ordinal);
        Assert.Equal(0, scenario.Host.Services.GetRequiredService<VerificationNotifier>().PendingCount);
    }

    [Fact]
    public async Task When_Bitbucket_keeps_the_browser_on_its_error_page_the_page_hears_only_that_it_left()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            RegisteredRedirectUris = callback => [callback + "/"],
        });
        var updates = Watch(scenario);
        using var admin = await scenario.NewSetupBrowserAsync();
        var start = await scenario.RequestVerifyAsync(admin, await scenario.AntiforgeryTokenAsync(admin), WatchId);

        var bitbucket = await scenario.AuthorizeAsync(start.Headers.Location!);

        Assert.Contains(BitbucketFake.ErrorPagePath, bitbucket.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(VerificationState.Waiting, Assert.Single(updates).State);
        Assert.Equal(1, scenario.Host.Services.GetRequiredService<VerificationNotifier>().PendingCount);
        scenario.AssertNoServerErrors();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("short")]
    [InlineData("<script>alert(1)</script>-padding-padding")]
    public async Task A_verification_without_a_proper_watch_id_works_as_before_and_reports_nothing(string? watchId)
    {
        await using var scenario = await SignInScenario.StartAsync();
        var updates = Watch(scenario);
        using var admin = await scenario.NewSetupBrowserAsync();

        var start = await scenario.RequestVerifyAsync(admin, await scenario.AntiforgeryTokenAsync(admin), watchId);
        var response = await scenario.CallbackAsync(admin, await scenario.AuthorizeToCallbackAsync(start.Headers.Location!));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("It is now Verified", await scenario.StatusMessageAfterAsync(admin, response), StringComparison.Ordinal);
        Assert.Empty(updates);
        scenario.AssertNoServerErrors();
    }

    private static ConcurrentQueue<VerificationUpdate> Watch(SignInScenario scenario)
    {
        var updates = new ConcurrentQueue<VerificationUpdate>();
        scenario.Host.Start();
        scenario.Host.Services.GetRequiredService<VerificationNotifier>().Changed += updates.Enqueue;
        return updates;
    }
}
