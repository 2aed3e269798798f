using Microsoft.EntityFrameworkCore;
using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>Answers without a body of their own get a readable page: what happened and what to do.</summary>
public sealed class ErrorPagesHostTests
{
    [Fact]
    public async Task Signing_out_with_a_form_without_its_antiforgery_token_gets_the_400_page_and_stays_signed_in()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        await scenario.SignInAsync(browser);

        var response = await browser.Http.PostAsync(new Uri("/signout", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>The form could not be accepted</title>", page, StringComparison.Ordinal);
        Assert.Contains("The form you sent has expired or came from another site", page, StringComparison.Ordinal);
        Assert.Contains("Reload the page you came from and try again. To sign out, you can also choose Sign out at the top of this page.", page, StringComparison.Ordinal);
        Assert.DoesNotContain(SetCookie.In(response), c => c.Name == "Portal.Auth");
        Assert.Contains("Ada Lovelace", await browser.Http.GetStringAsync(new Uri("/account", UriKind.Relative)), StringComparison.Ordinal);
        AssertNothingLoggedAsError(scenario.Host);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Signing_out_with_another_browsers_form_gets_the_400_page()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var victim = scenario.NewBrowser();
        await scenario.SignInAsync(victim);
        // Another browser's valid form: its token belongs to that browser's antiforgery cookie, not the victim's.
        using var other = scenario.NewBrowser();
        await scenario.SignInAsync(other);
        var foreignToken = ManualCookieJar.AntiforgeryTokenIn(await other.Http.GetStringAsync(new Uri("/account", UriKind.Relative)));

        var response = await victim.Http.PostAsync(new Uri("/signout", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = foreignToken, ["returnUrl"] = "/" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("came from another site", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        AssertNothingLoggedAsError(scenario.Host);
    }

    [Fact]
    public async Task Signing_out_with_the_pages_own_form_still_works()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        await scenario.SignInAsync(browser);
        var token = ManualCookieJar.AntiforgeryTokenIn(await browser.Http.GetStringAsync(new Uri("/account", UriKind.Relative)));

        var response = await browser.Http.PostAsync(new Uri("/signout", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["returnUrl"] = "/signin" }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.OriginalString);
        Assert.Equal("You are signed out.", await scenario.StatusMessageAfterAsync(browser, response));
        Assert.Null(browser.Cookie("Portal.Auth"));
    }

    [Fact]
    public async Task Signing_out_from_a_page_left_open_after_its_session_ended_signs_out_instead_of_refusing_the_form()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        await scenario.SignInAsync(browser);
        var token = ManualCookieJar.AntiforgeryTokenIn(await browser.Http.GetStringAsync(new Uri("/account", UriKind.Relative)));
        // Signed out in another tab: the session ends, this tab's form (and its token) stays.
        await scenario.QueryAsync(db => db.Sessions.ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, DateTimeOffset.UtcNow)
            .SetProperty(x => x.EndReason, Portal.Core.Sessions.SessionEndReason.SignedOut)));

        var response = await browser.Http.PostAsync(new Uri("/signout", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["returnUrl"] = "/signin" }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.OriginalString);
        Assert.Equal("You are signed out.", await scenario.StatusMessageAfterAsync(browser, response));
        Assert.Null(browser.Cookie("Portal.Auth"));
        AssertNothingLoggedAsError(scenario.Host);
    }

    [Fact]
    public async Task A_sign_out_posted_by_another_site_without_the_sign_in_cookie_touches_no_cookie()
    {
        await using var host = new PortalHost();
        using var client = host.CreateHttpClient();

        // What a cross-site form post looks like here: the SameSite=Lax sign-in cookie is not sent with it.
        var response = await client.PostAsync(new Uri("/signout", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Empty(SetCookie.In(response));
    }

    [Fact]
    public async Task A_form_posted_to_a_page_without_a_token_gets_the_400_page()
    {
        await using var host = new PortalHost();
        using var client = host.CreateHttpClient();

        var response = await client.PostAsync(new Uri("/signin", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The form you sent has expired or came from another site", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        AssertNothingLoggedAsError(host);
    }

    [Fact]
    public async Task A_form_far_larger_than_any_of_the_portal_s_is_read_only_up_to_a_limit_and_gets_the_400_page()
    {
        await using var host = new PortalHost();
        using var client = host.CreateHttpClient();
        using var huge = new ByteArrayContent(new byte[2 * 1024 * 1024]);
        huge.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");

        var response = await client.PostAsync(new Uri("/signin", UriKind.Relative), huge);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The form you sent has expired or came from another site", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        AssertNothingLoggedAsError(host);
        // ASP.NET Core's default is 30 MB; the portal's forms are a few hundred bytes, the circuit's messages at most 256 KB.
        var kestrel = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value;
        Assert.Equal(512 * 1024, kestrel.Limits.MaxRequestBodySize);
    }

    [Fact]
    public async Task An_unknown_address_gets_the_404_page()
    {
        await using var host = new PortalHost();
        using var client = host.CreateHttpClient();

        var response = await client.GetAsync(new Uri("/no/such/page", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>Page not found</title>", page, StringComparison.Ordinal);
        Assert.Contains("There is no page at this address.", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PUT", "/signin")]
    [InlineData("DELETE", "/signout")]
    [InlineData("GET", "/signout")]
    public async Task A_method_an_address_does_not_take_gets_the_405_page(string method, string path)
    {
        await using var host = new PortalHost();
        using var client = host.CreateHttpClient();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains(path == "/signout" ? "POST" : "GET", response.Content.Headers.Allow);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>This address does not work this way</title>", page, StringComparison.Ordinal);
        Assert.Contains($"The address {path} does not accept a {method} request.", page, StringComparison.Ordinal);
        Assert.Contains("signing out works only through the Sign out button", page, StringComparison.Ordinal);
        AssertNothingLoggedAsError(host);
    }

    [Fact]
    public async Task A_status_page_opened_directly_answers_with_its_status()
    {
        await using var host = new PortalHost();
        using var client = host.CreateHttpClient();

        var response = await client.GetAsync(new Uri("/error/429", UriKind.Relative));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Contains("Wait a minute, then try again.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_post_that_fails_on_the_server_gets_the_error_page_not_an_empty_500()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            ConfigurePortalServices = services =>
            {
                services.AddScoped<AuthenticationService>();
                services.AddScoped<IAuthenticationService>(sp => new SignOutFails(sp.GetRequiredService<AuthenticationService>()));
            },
        });
        using var browser = scenario.NewBrowser();
        await scenario.SignInAsync(browser);
        var token = ManualCookieJar.AntiforgeryTokenIn(await browser.Http.GetStringAsync(new Uri("/account", UriKind.Relative)));

        var response = await browser.Http.PostAsync(new Uri("/signout", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Something went wrong", page, StringComparison.Ordinal);
        Assert.Contains("Request ID", page, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", page, StringComparison.Ordinal);
        Assert.True(response.Headers.Contains("Content-Security-Policy"));
    }

    private static void AssertNothingLoggedAsError(PortalHost host)
    {
        var errors = host.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, "Errors logged:\n" + string.Join('\n', errors.Select(e => $"{e.Category}: {e.Message}")));
    }

    /// <summary>The real authentication service, except that signing out throws.</summary>
    private sealed class SignOutFails(IAuthenticationService inner) : IAuthenticationService
    {
        public Task<AuthenticateResult> AuthenticateAsync(HttpContext context, string? scheme) => inner.AuthenticateAsync(context, scheme);

        public Task ChallengeAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => inner.ChallengeAsync(context, scheme, properties);

        public Task ForbidAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => inner.ForbidAsync(context, scheme, properties);

        public Task SignInAsync(HttpContext context, string? scheme, System.Security.Claims.ClaimsPrincipal principal, AuthenticationProperties? properties) =>
            inner.SignInAsync(context, scheme, principal, properties);

        public Task SignOutAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) =>
            throw new InvalidOperationException("Sign-out failed in the test.");
    }
}
