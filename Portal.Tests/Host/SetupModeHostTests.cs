using Portal.Core.Platforms.BitbucketServer;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Integrations;
using Portal.Core.Persistence;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

public sealed class SetupModeHostTests : IAsyncLifetime
{
    private readonly PortalHost host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_fresh_start_migrates_the_database_serves_the_home_page_and_logs_the_setup_link()
    {
        using var client = host.CreateHttpClient();

        var home = await client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Integration Portal", await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(host.UsesPostgreSql || File.Exists(host.DatabasePath));
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        Assert.StartsWith($"{host.BaseUrl}/setup?token=", host.SetupLink, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_endpoint_reports_the_database_reachable()
    {
        using var client = host.CreateHttpClient();

        var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Admin_pages_refuse_without_the_setup_cookie_and_show_no_data()
    {
        await AddIntegrationNamedAsync("Confidential Bitbucket");
        using var client = host.CreateHttpClient();

        var response = await client.GetAsync(new Uri("/integrations", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/access", response.Headers.Location!.AbsolutePath);
        var access = await (await client.GetAsync(response.Headers.Location)).Content.ReadAsStringAsync();
        Assert.Contains("setup link", access, StringComparison.Ordinal);
        Assert.DoesNotContain("Confidential Bitbucket", access, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_setup_link_sets_a_lax_httponly_cookie_removes_the_token_from_the_address_and_opens_admin_pages()
    {
        await AddIntegrationNamedAsync("Confidential Bitbucket");
        using var client = host.CreateHttpClient();

        var response = await client.GetAsync(new Uri(host.SetupLink));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/integrations", response.Headers.Location!.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("Portal.Auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        var admin = await client.GetAsync(new Uri("/integrations", UriKind.Relative));
        Assert.True(admin.StatusCode == HttpStatusCode.OK, host.Logs.AllText);
        Assert.Contains("Confidential Bitbucket", await admin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_a_new_setup_link_ends_the_session_the_browser_held()
    {
        using var browser = host.CreateHttpClient();
        await browser.GetAsync(new Uri(host.SetupLink));
        var first = await SingleActiveSessionAsync();
        // A restart prints a new link and keeps the opened one's session.
        var newLink = $"{host.BaseUrl}/setup?token={await host.Services.GetRequiredService<Portal.Core.Setup.SetupModeService>().IssueTokenAsync()}";

        await browser.GetAsync(new Uri(newLink));

        var second = await SingleActiveSessionAsync();
        Assert.NotEqual(first.Id, second.Id);
        await using var scope = host.Services.CreateAsyncScope();
        var ended = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Sessions.AsNoTracking().SingleAsync(s => s.Id == first.Id);
        Assert.Equal(Portal.Core.Sessions.SessionEndReason.Replaced, ended.EndReason);
    }

    private async Task<Portal.Core.Sessions.PortalSession> SingleActiveSessionAsync()
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Sessions.AsNoTracking().SingleAsync(s => s.EndedAt == null);
    }

    [Fact]
    public async Task A_setup_link_works_once()
    {
        var link = host.SetupLink;
        using var first = host.CreateHttpClient();
        using var second = host.CreateHttpClient();
        await first.GetAsync(new Uri(link));

        var replay = await second.GetAsync(new Uri(link));

        Assert.Equal("/access?problem=setup-link-used", replay.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await second.GetAsync(new Uri("/integrations", UriKind.Relative))).StatusCode);
        var page = await (await second.GetAsync(replay.Headers.Location)).Content.ReadAsStringAsync();
        Assert.Contains("already used", page, StringComparison.Ordinal);
        // A restart keeps sessions already open, so the fix for a link someone else opened is the command that ends them.
        Assert.Contains("run the setup-mode command", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_setup_link_opened_after_its_lifetime_says_it_expired_and_how_to_get_a_new_one()
    {
        var clock = new ShiftableTimeProvider();
        await using var portal = new PortalHost(configureServices: services => services.AddSingleton<TimeProvider>(clock));
        var link = portal.SetupLink;
        clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        using var client = portal.CreateHttpClient();

        var response = await client.GetAsync(new Uri(link));

        Assert.Equal("/access?problem=setup-link-expired", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync(new Uri("/integrations", UriKind.Relative))).StatusCode);
        var page = await (await client.GetAsync(response.Headers.Location)).Content.ReadAsStringAsync();
        Assert.Contains("That setup link expired", page, StringComparison.Ordinal);
        Assert.Contains("Restart the portal to print a new one", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_wrong_tokens_are_refused_for_a_minute()
    {
        using var client = host.CreateHttpClient();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await client.GetAsync(new Uri($"/setup?token=wrong{i}", UriKind.Relative));
            Assert.Equal("/access?problem=setup-link-unknown", wrong.Headers.Location!.OriginalString);
        }

        var limited = await client.GetAsync(new Uri("/setup?token=wrong-again", UriKind.Relative));

        Assert.Equal("/access?problem=too-many-attempts", limited.Headers.Location!.OriginalString);
        var page = await client.GetAsync(limited.Headers.Location);
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.Contains("The right link still works", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_valid_setup_link_works_even_after_wrong_tokens_blocked_the_client()
    {
        using var client = host.CreateHttpClient();
        for (var i = 0; i < 5; i++)
        {
            await client.GetAsync(new Uri($"/setup?token=wrong{i}", UriKind.Relative));
        }
        var blocked = await client.GetAsync(new Uri("/setup?token=wrong-again", UriKind.Relative));
        Assert.Equal("/access?problem=too-many-attempts", blocked.Headers.Location!.OriginalString);

        var valid = await client.GetAsync(new Uri(host.SetupLink));

        Assert.Equal("/integrations", valid.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/integrations", UriKind.Relative))).StatusCode);
    }

    private async Task AddIntegrationNamedAsync(string name)
    {
        host.Start();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Integrations.Add(new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = Guid.NewGuid(), Name = name, BaseUrl = "https://bitbucket.example.com", ClientId = "id", ProtectedClientSecret = "x" });
        await db.SaveChangesAsync();
    }
}
