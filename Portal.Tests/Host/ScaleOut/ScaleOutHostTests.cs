using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Setup;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host.ScaleOut;

/// <summary>
/// Several portal instances behind a load balancer: two in-process portals sharing one PostgreSQL database (always on
/// PostgreSQL, whatever PORTAL_TEST_DATABASE says, since SQLite has one portal process per file). Setup Mode, the first
/// administrator and the rate limits must hold across them.
/// </summary>
[Trait("Database", "PostgreSQL")]
public sealed class ScaleOutHostTests : IDisposable
{
    private const int Limit = 3;
    private static readonly IPAddress Busy = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.3");

    private readonly string databasePath = TestPaths.NewDatabasePath();
    private readonly string connectionString;

    // Both instances read one clock, started at a window's beginning, so no test straddles the minute's end.
    private readonly ShiftableTimeProvider clock = new();

    public ScaleOutHostTests()
    {
        connectionString = PostgreSqlCluster.Shared.DatabaseFor(databasePath);
        var now = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMinute - now.UtcTicks % TimeSpan.TicksPerMinute));
    }

    public void Dispose()
    {
        PostgreSqlCluster.Shared.Drop(connectionString);
        TestPaths.DeleteDatabase(databasePath);
    }

    private Dictionary<string, string?> SharedDatabase(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSQL",
            ["Database:ConnectionString"] = connectionString,
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }

    private PortalHost NewInstance(Dictionary<string, string?>? settings = null) =>
        new(databasePath, SharedDatabase(settings), services => services.AddSingleton<TimeProvider>(clock));

    // ---- Setup Mode -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_setup_link_opened_on_one_instance_opens_the_admin_pages_on_the_other()
    {
        await using var a = NewInstance();
        await using var b = NewInstance();
        a.Start();
        var cookies = new CookieContainer();
        using var onA = a.CreateHttpClient(cookies);
        using var onB = b.CreateHttpClient(cookies);

        var opened = await onA.GetAsync(new Uri(b.SetupLink.Replace(b.BaseUrl, a.BaseUrl, StringComparison.Ordinal)));

        Assert.Equal("/integrations", opened.Headers.Location!.OriginalString);
        var admin = await onB.GetAsync(new Uri("/integrations", UriKind.Relative));
        Assert.True(admin.StatusCode == HttpStatusCode.OK, $"B answered {(int)admin.StatusCode}:\n{b.Logs.AllText}");
    }

    [Fact]
    public async Task Only_the_link_of_the_instance_that_started_last_works_and_the_log_line_says_so()
    {
        await using var a = NewInstance();
        await using var b = NewInstance();
        var linkOfA = a.SetupLink;
        var linkOfB = b.SetupLink;
        using var client = a.CreateHttpClient();

        var withdrawn = await client.GetAsync(new Uri(linkOfA));
        var newest = await client.GetAsync(new Uri(linkOfB.Replace(b.BaseUrl, a.BaseUrl, StringComparison.Ordinal)));

        Assert.Equal("/access?problem=setup-link-unknown", withdrawn.Headers.Location!.OriginalString);
        Assert.Equal("/integrations", newest.Headers.Location!.OriginalString);
        Assert.Contains("only the link of the instance that started last works", a.Logs.AllText, StringComparison.Ordinal);
        Assert.Contains("use the newest one from the other instances' logs", a.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_first_sign_ins_landing_on_different_instances_at_once_make_exactly_one_administrator()
    {
        var settings = SharedDatabase();
        await using var onA = await SignInScenario.StartAsync(new SignInScenarioOptions { DatabasePath = databasePath, PortalSettings = settings, Users = [BitbucketFakeUser.Ada] });
        // Opened before B starts: B's start withdraws every unopened link.
        using var setupA = await onA.NewSetupBrowserAsync();
        await using var onB = await SignInScenario.StartAsync(new SignInScenarioOptions { DatabasePath = databasePath, PortalSettings = settings, Users = [BitbucketFakeUser.Grace], IntegrationName = "Other Bitbucket" });
        using var setupB = await onB.NewSetupBrowserAsync();
        var adaCallback = await onA.AuthorizeToCallbackAsync(await onA.StartSignInAsync(setupA));
        var graceCallback = await onB.AuthorizeToCallbackAsync(await onB.StartSignInAsync(setupB));

        var responses = await Task.WhenAll(onA.CallbackAsync(setupA, adaCallback), onB.CallbackAsync(setupB, graceCallback));

        var users = await onA.UsersAsync();
        Assert.Equal(2, users.Count);
        Assert.Single(users, u => u.IsAdministrator);
        var messages = new[] { await onA.StatusMessageAfterAsync(setupA, responses[0]), await onB.StatusMessageAfterAsync(setupB, responses[1]) };
        Assert.Single(messages, m => m?.Contains("first administrator", StringComparison.Ordinal) == true);
        Assert.Single(await onA.QueryAsync(db => db.AuditEntries.Where(e => e.Kind == AuditKind.SetupModeEnded).ToListAsync()));
        foreach (var instance in new[] { onA.Host, onB.Host })
        {
            Assert.False(await instance.Services.GetRequiredService<SetupModeService>().IsActiveAsync());
            using var latecomer = instance.CreateHttpClient();
            var link = await latecomer.GetAsync(new Uri("/setup?token=anything", UriKind.Relative));
            Assert.Equal("/access?problem=setup-mode-over", link.Headers.Location!.OriginalString);
        }
        onA.AssertNoServerErrors();
        onB.AssertNoServerErrors();
    }

    // ---- Rate limits ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Sign_in_starts_to_both_instances_count_against_one_limit()
    {
        var limits = new Dictionary<string, string?> { ["RateLimits:SignInPerMinute"] = Limit.ToString(CultureInfo.InvariantCulture) };
        await using var a = NewInstance(limits);
        await using var b = NewInstance(limits);
        using var busyOnA = a.CreateHttpClientFrom(Busy);
        using var busyOnB = b.CreateHttpClientFrom(Busy);
        using var otherOnB = b.CreateHttpClientFrom(Other);
        var start = new Uri($"/signin/start/{Guid.NewGuid()}", UriKind.Relative);

        var allowed = new[] { await busyOnA.GetAsync(start), await busyOnB.GetAsync(start), await busyOnA.GetAsync(start) };
        var limitedOnB = await busyOnB.GetAsync(start);
        var limitedOnA = await busyOnA.GetAsync(start);
        var fromOther = await otherOnB.GetAsync(start);

        Assert.All(allowed, r => Assert.NotEqual(HttpStatusCode.TooManyRequests, r.StatusCode));
        foreach (var limited in new[] { limitedOnB, limitedOnA })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.InRange(int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture), 1, 60);
            Assert.Contains("Starting a sign-in was tried too often from your address", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Contains("Too many requests to /signin/start/", b.Logs.AllText, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, fromOther.StatusCode);
        // The next window starts from zero.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await busyOnB.GetAsync(start)).StatusCode);
    }

    [Fact]
    public async Task Wrong_setup_links_on_both_instances_count_against_one_limit()
    {
        var limits = new Dictionary<string, string?>
        {
            ["Portal:SetupLinkAttemptsPerMinute"] = Limit.ToString(CultureInfo.InvariantCulture),
            ["RateLimits:SetupPerMinute"] = "100",
        };
        await using var a = NewInstance(limits);
        await using var b = NewInstance(limits);
        using var busyOnA = a.CreateHttpClientFrom(Busy);
        using var busyOnB = b.CreateHttpClientFrom(Busy);
        using var otherOnA = a.CreateHttpClientFrom(Other);
        var wrong = new Uri("/setup?token=wrong", UriKind.Relative);

        var counted = new[] { await busyOnA.GetAsync(wrong), await busyOnB.GetAsync(wrong), await busyOnA.GetAsync(wrong) };
        var refusedOnB = await busyOnB.GetAsync(wrong);
        var fromOther = await otherOnA.GetAsync(wrong);

        Assert.All(counted, r => Assert.Equal("/access?problem=setup-link-unknown", r.Headers.Location!.OriginalString));
        Assert.Equal("/access?problem=too-many-attempts", refusedOnB.Headers.Location!.OriginalString);
        Assert.Equal("/access?problem=setup-link-unknown", fromOther.Headers.Location!.OriginalString);
        // The valid link still works from the throttled address.
        var valid = await busyOnA.GetAsync(new Uri(new Uri(b.SetupLink).PathAndQuery, UriKind.Relative));
        Assert.Equal("/integrations", valid.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_database_that_cannot_count_leaves_each_instance_counting_alone_and_logs_one_warning_for_all_clients()
    {
        var limits = new Dictionary<string, string?> { ["RateLimits:SignInPerMinute"] = Limit.ToString(CultureInfo.InvariantCulture) };
        await using var a = NewInstance(limits);
        using var client = a.CreateHttpClientFrom(Busy);
        a.Start();
        await using (var scope = a.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Portal.Core.Persistence.PortalDbContext>();
            await db.Database.ExecuteSqlRawAsync("""ALTER TABLE "RateLimitWindows" RENAME TO "RateLimitWindowsGone" """);
        }

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i <= Limit; i++)
        {
            responses.Add(await client.GetAsync(new Uri($"/signin/start/{Guid.NewGuid()}", UriKind.Relative)));
        }

        Assert.All(responses.SkipLast(1), r => Assert.True((int)r.StatusCode is not (429 or >= 500), $"Answered {(int)r.StatusCode}"));
        Assert.Equal(429, (int)responses[^1].StatusCode);
        Assert.NotNull(responses[^1].Headers.RetryAfter);
        // Another client meeting the same outage is counted alone too, without a warning of its own.
        using var other = a.CreateHttpClientFrom(Other);
        var fromOther = await other.GetAsync(new Uri($"/signin/start/{Guid.NewGuid()}", UriKind.Relative));
        Assert.True((int)fromOther.StatusCode is not (429 or >= 500), $"Answered {(int)fromOther.StatusCode}");
        var warnings = a.Logs.Entries.Where(e => e.Message.Contains("rate limit could not count requests from", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings);
        Assert.Contains("from 127.0.0.2 in the database, so this instance counts them alone until it can", warnings[0].Message, StringComparison.Ordinal);
    }
}
