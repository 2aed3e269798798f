using System.Globalization;
using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// Per-address limits on /setup, sign-in starts and OAuth callbacks. The clients connect from different loopback
/// addresses (127.0.0.2, 127.0.0.3), so the portal sees real, distinct client addresses.
/// </summary>
public sealed class RateLimitHostTests
{
    private const int Limit = 3;
    private static readonly IPAddress Busy = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.3");

    private static readonly Dictionary<string, string?> LowLimits = new()
    {
        ["RateLimits:SetupPerMinute"] = Limit.ToString(CultureInfo.InvariantCulture),
        ["RateLimits:SignInPerMinute"] = Limit.ToString(CultureInfo.InvariantCulture),
        // The wrong-link throttle stays out of the way of the general limit here.
        ["Portal:SetupLinkAttemptsPerMinute"] = "100",
    };

    [Fact]
    public async Task Setup_links_past_the_limit_get_the_429_page_and_other_addresses_are_unaffected()
    {
        await using var host = new PortalHost(settings: LowLimits);
        using var busy = host.CreateHttpClientFrom(Busy);
        using var other = host.CreateHttpClientFrom(Other);

        await AssertLimitedAsync(busy, other, "/setup?token=wrong", HttpStatusCode.Redirect, "Opening a setup link was tried too often from your address");
        Assert.Contains("Too many requests to /setup from 127.0.0.2", host.Logs.AllText, StringComparison.Ordinal);
        // The other address still gets the real answer, and the valid link still works there.
        var valid = await other.GetAsync(new Uri(new Uri(host.SetupLink).PathAndQuery, UriKind.Relative));
        Assert.Equal("/integrations", valid.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Sign_in_starts_past_the_limit_get_the_429_page_and_other_addresses_are_unaffected()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { PortalSettings = LowLimits });
        using var busy = scenario.Host.CreateHttpClientFrom(Busy);
        using var other = scenario.Host.CreateHttpClientFrom(Other);

        await AssertLimitedAsync(busy, other, $"/signin/start/{scenario.IntegrationId}", HttpStatusCode.Redirect, "Starting a sign-in was tried too often from your address");
        var start = await other.GetAsync(new Uri($"/signin/start/{scenario.IntegrationId}", UriKind.Relative));
        Assert.StartsWith(scenario.Bitbucket.BaseUrl, start.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OAuth_callbacks_past_the_limit_get_the_429_page_and_other_addresses_are_unaffected()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { PortalSettings = LowLimits });
        using var busy = scenario.Host.CreateHttpClientFrom(Busy);
        using var other = scenario.Host.CreateHttpClientFrom(Other);

        await AssertLimitedAsync(busy, other, $"/signin/callback/{scenario.IntegrationId:N}?state=guessed&code=guessed", HttpStatusCode.Redirect,
            "Returning from the code host to finish a sign-in was tried too often from your address");
    }

    [Fact]
    public async Task Sign_in_starts_and_callbacks_are_counted_apart()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions { PortalSettings = LowLimits });
        using var client = scenario.Host.CreateHttpClientFrom(Busy);
        for (var i = 0; i < Limit; i++)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync(new Uri($"/signin/start/{scenario.IntegrationId}", UriKind.Relative))).StatusCode);
        }

        var callback = await client.GetAsync(new Uri($"/signin/callback/{scenario.IntegrationId:N}?state=s&code=c", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
    }

    private static async Task AssertLimitedAsync(HttpClient busy, HttpClient other, string path, HttpStatusCode allowed, string explanation)
    {
        var uri = new Uri(path, UriKind.Relative);
        for (var i = 0; i < Limit; i++)
        {
            Assert.Equal(allowed, (await busy.GetAsync(uri)).StatusCode);
        }

        var limited = await busy.GetAsync(uri);
        var fromOther = await other.GetAsync(uri);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("text/html", limited.Content.Headers.ContentType?.MediaType);
        var page = await limited.Content.ReadAsStringAsync();
        Assert.Contains("<title>Too many requests</title>", page, StringComparison.Ordinal);
        Assert.Contains(explanation, page, StringComparison.Ordinal);
        Assert.Contains($"Wait {retryAfter} second", page, StringComparison.Ordinal);
        Assert.Equal(allowed, fromOther.StatusCode);
    }
}
