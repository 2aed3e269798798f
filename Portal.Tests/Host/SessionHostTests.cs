using Portal.Core.Authorization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Sessions;
using Portal.Core.Setup;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>The cookie only names a session kept on the server; every request checks it there.</summary>
public sealed class SessionHostTests
{
    /// <summary>Sends <paramref name="cookie"/> as a copied cookie would be sent: from anywhere, without the browser's jar.</summary>
    private static async Task<HttpResponseMessage> WithCopiedCookieAsync(SignInScenario scenario, string cookie, string path)
    {
        using var client = scenario.NewCookielessClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Add("Cookie", $"Portal.Auth={cookie}");
        return await client.Http.SendAsync(request);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_on_the_server_so_a_copy_of_the_cookie_no_longer_works()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var admin = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(admin);
        var copy = admin.Cookie("Portal.Auth")!;
        Assert.Equal(HttpStatusCode.OK, (await WithCopiedCookieAsync(scenario, copy, "/integrations")).StatusCode);

        var page = await admin.Http.GetStringAsync(new Uri("/account", UriKind.Relative));
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        var signOut = await admin.Http.PostAsync(new Uri("/signout", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        var replayed = await WithCopiedCookieAsync(scenario, copy, "/integrations");
        Assert.Equal("/access", replayed.Headers.Location?.AbsolutePath);
        var session = await scenario.QueryAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Kind == SessionKind.User));
        Assert.Equal(SessionEndReason.SignedOut, session.EndReason);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_gives_a_signed_in_browser_the_page_that_names_it_and_keeps_its_cookie()
    {
        // SQLite on both passes: the fault is a database file that can no longer be opened.
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            PortalSettings = new Dictionary<string, string?> { ["Database:Provider"] = "Sqlite" },
        });
        using var admin = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(admin);
        var databasePath = scenario.Host.DatabasePath;
        var moved = databasePath + ".away";

        File.Move(databasePath, moved);
        Directory.CreateDirectory(databasePath); // a path SQLite cannot open as its file, as when the disk is gone
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        HttpResponseMessage failed, anonymous;
        try
        {
            failed = await admin.Http.GetAsync(new Uri("/integrations", UriKind.Relative));
            anonymous = await scenario.Host.CreateHttpClient().GetAsync(new Uri("/signin", UriKind.Relative));
        }
        finally
        {
            Directory.Delete(databasePath);
            File.Move(moved, databasePath);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Contains("The portal could not use its database: The portal could not read or write its database file", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(SetCookie.In(failed), c => c.Name == "Portal.Auth");
        Assert.Contains("could not read or write its database file", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var back = await admin.Http.GetAsync(new Uri("/integrations", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task A_session_ends_after_its_absolute_lifetime_even_when_used_all_along()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            PortalSettings = new Dictionary<string, string?> { ["Sessions:IdleTimeout"] = "01:00:00", ["Sessions:AbsoluteLifetime"] = "02:00:00" },
        });
        using var admin = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(admin);

        // Active every 50 minutes, so the sliding cookie never idles out; the session's absolute end still comes.
        for (var i = 0; i < 2; i++)
        {
            scenario.Clock.Advance(TimeSpan.FromMinutes(50));
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync(new Uri("/integrations", UriKind.Relative))).StatusCode);
        }
        scenario.Clock.Advance(TimeSpan.FromMinutes(25));

        var expired = await admin.Http.GetAsync(new Uri("/integrations", UriKind.Relative));
        Assert.Equal("/access", expired.Headers.Location?.AbsolutePath);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Requests_keep_a_session_alive_and_a_browser_idle_for_the_idle_timeout_loses_it_on_pages_left_open_too()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            PortalSettings = new Dictionary<string, string?> { ["Sessions:IdleTimeout"] = "01:00:00", ["Sessions:AbsoluteLifetime"] = "05:00:00" },
        });
        using var admin = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(admin);
        var sessionId = (await scenario.QueryAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Kind == SessionKind.User && s.EndedAt == null))).Id;
        var sessions = scenario.Host.Services.GetRequiredService<SessionService>();
        var gate = scenario.Host.Services.GetRequiredService<AdministratorGate>();

        scenario.Clock.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync(new Uri("/integrations", UriKind.Relative))).StatusCode);
        scenario.Clock.Advance(TimeSpan.FromMinutes(50));
        // What an open page's periodic check and every action ask: 100 minutes after the sign-in, 50 after the last request.
        Assert.Equal(SessionState.Active, (await sessions.CheckAsync(sessionId)).State);
        Assert.Null(await gate.CheckAsync(new Actor(sessionId)));

        scenario.Clock.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(SessionState.Idle, (await sessions.CheckAsync(sessionId)).State);
        Assert.Contains("made no request to the portal for 1 hour", (await gate.CheckAsync(new Actor(sessionId)))!.Message, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_page_left_open_on_long_polling_goes_idle_like_one_on_WebSockets()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            PortalSettings = new Dictionary<string, string?> { ["Sessions:IdleTimeout"] = "01:00:00", ["Sessions:AbsoluteLifetime"] = "05:00:00" },
        });
        using var admin = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(admin);
        var sessionId = (await scenario.QueryAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Kind == SessionKind.User && s.EndedAt == null))).Id;

        // A long-polling page asks the live connection's endpoint for news about once a minute, with the cookie.
        for (var minute = 0; minute < 61; minute += 5)
        {
            scenario.Clock.Advance(TimeSpan.FromMinutes(5));
            await admin.Http.GetAsync(new Uri($"/_blazor?id=connection-{minute}", UriKind.Relative));
        }

        Assert.Equal(SessionState.Idle, (await scenario.Host.Services.GetRequiredService<SessionService>().CheckAsync(sessionId)).State);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_setup_session_ends_after_the_setup_session_lifetime()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            PortalSettings = new Dictionary<string, string?> { ["Setup:SessionLifetime"] = "00:30:00" },
        });
        using var setup = await scenario.NewSetupBrowserAsync();
        Assert.Equal(HttpStatusCode.OK, (await setup.Http.GetAsync(new Uri("/integrations", UriKind.Relative))).StatusCode);

        scenario.Clock.Advance(TimeSpan.FromMinutes(31));

        var expired = await setup.Http.GetAsync(new Uri("/integrations", UriKind.Relative));
        Assert.Equal("/access", expired.Headers.Location?.AbsolutePath);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Signing_in_replaces_the_session_the_browser_held()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { Users = [BitbucketFakeUser.Ada, BitbucketFakeUser.Grace] });
        using var admin = await scenario.NewSetupBrowserAsync();
        await scenario.SignInAsync(admin);
        var first = admin.Cookie("Portal.Auth")!;

        await scenario.SignInAsync(admin, asUser: BitbucketFakeUser.Grace);

        Assert.Equal("/access", (await WithCopiedCookieAsync(scenario, first, "/integrations")).Headers.Location?.AbsolutePath);
        var sessions = await scenario.QueryAsync(db => db.Sessions.AsNoTracking().Where(s => s.Kind == SessionKind.User).ToListAsync());
        Assert.Equal(2, sessions.Count);
        Assert.Single(sessions, s => s.EndReason == SessionEndReason.Replaced);
        Assert.False(await scenario.Host.Services.GetRequiredService<SetupModeService>().IsActiveAsync());
    }
}
