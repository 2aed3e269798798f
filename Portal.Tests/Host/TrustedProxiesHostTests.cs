using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto count only from Portal:TrustedProxies. What the portal believed is visible in
/// three places: the 308 to https (it saw http), the rate limit's per-address count, and the setup link's log line.
/// </summary>
public sealed class TrustedProxiesHostTests
{
    private static readonly IPAddress Proxy = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Stranger = IPAddress.Parse("127.0.0.3");

    [Fact]
    public async Task With_no_trusted_proxies_a_forwarded_https_is_ignored_even_from_loopback()
    {
        await using var host = new PortalHost(settings: new Dictionary<string, string?> { ["Portal:PublicUrl"] = "https://portal.example.test" });
        using var client = host.CreateHttpClient();

        var page = await client.SendAsync(Forwarded("/", forwardedFor: "203.0.113.10"));

        // Not served as https; and not redirected either, which would loop behind a proxy that is not trusted.
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.False(page.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task With_no_trusted_proxies_a_forwarded_client_address_is_ignored_even_from_loopback()
    {
        await using var host = new PortalHost(settings: new Dictionary<string, string?> { ["RateLimits:SetupPerMinute"] = "3" });
        using var client = host.CreateHttpClient();

        var setup = await client.SendAsync(Forwarded(new Uri(host.SetupLink).PathAndQuery, forwardedFor: "203.0.113.10"));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            // A new claimed address each time does not buy a new allowance.
            statuses.Add((await client.SendAsync(Forwarded("/setup?token=wrong", forwardedFor: $"203.0.113.{20 + i}"))).StatusCode);
        }

        Assert.Equal("/integrations", setup.Headers.Location!.OriginalString);
        Assert.Contains("The setup link was opened from 127.0.0.1", host.Logs.AllText, StringComparison.Ordinal);
        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests], statuses);
        Assert.DoesNotContain("203.0.113", host.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trusted_proxy_is_believed_about_the_client_address_and_https()
    {
        await using var host = new PortalHost(settings: new Dictionary<string, string?>
        {
            ["Portal:PublicUrl"] = "https://portal.example.test",
            ["Portal:TrustedProxies:0"] = "127.0.0.0/30",
        });
        using var proxy = host.CreateHttpClientFrom(Proxy);

        var page = await proxy.SendAsync(Forwarded("/", forwardedFor: "203.0.113.10"));
        var setup = await proxy.SendAsync(Forwarded(new Uri(host.SetupLink).PathAndQuery, forwardedFor: "203.0.113.10"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.True(page.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal("/integrations", setup.Headers.Location!.OriginalString);
        Assert.Contains("The setup link was opened from 203.0.113.10", host.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Through_a_trusted_proxy_an_address_the_client_wrote_itself_is_not_believed()
    {
        await using var host = new PortalHost(settings: new Dictionary<string, string?> { ["Portal:TrustedProxies:0"] = Proxy.ToString() });
        using var proxy = host.CreateHttpClientFrom(Proxy);

        // The client sent "X-Forwarded-For: 198.51.100.66"; the proxy appended the address it saw.
        var setup = await proxy.SendAsync(Forwarded(new Uri(host.SetupLink).PathAndQuery, forwardedFor: "198.51.100.66, 203.0.113.10"));

        Assert.Equal("/integrations", setup.Headers.Location!.OriginalString);
        Assert.Contains("The setup link was opened from 203.0.113.10", host.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.66", host.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_outside_the_list_is_not_believed()
    {
        await using var host = new PortalHost(settings: new Dictionary<string, string?>
        {
            ["Portal:PublicUrl"] = "https://portal.example.test",
            ["Portal:TrustedProxies:0"] = Proxy.ToString(),
        });
        using var stranger = host.CreateHttpClientFrom(Stranger);

        var page = await stranger.SendAsync(Forwarded("/", forwardedFor: "203.0.113.10"));
        var health = await stranger.SendAsync(Forwarded("/healthz", forwardedFor: "203.0.113.10"));

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await using var plainHost = new PortalHost(settings: new Dictionary<string, string?> { ["Portal:TrustedProxies:0"] = Proxy.ToString() });
        using var plainStranger = plainHost.CreateHttpClientFrom(Stranger);
        await plainStranger.SendAsync(Forwarded(new Uri(plainHost.SetupLink).PathAndQuery, forwardedFor: "203.0.113.10"));
        Assert.Contains("The setup link was opened from 127.0.0.3", plainHost.Logs.AllText, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Forwarded(string path, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        request.Headers.Add("X-Forwarded-Proto", "https");
        return request;
    }
}
