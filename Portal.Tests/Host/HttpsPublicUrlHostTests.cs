using System.Net;
using System.Text.RegularExpressions;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// An https Portal:PublicUrl: the portal runs behind a TLS-terminating proxy on loopback (here: the test, sending the
/// proxy's X-Forwarded-* headers from a trusted address).
/// </summary>
public sealed class HttpsPublicUrlHostTests
{
    private const string PublicUrl = "https://portal.example.test";

    private static readonly Dictionary<string, string?> BehindProxy = new()
    {
        ["Portal:PublicUrl"] = PublicUrl,
        ["Portal:TrustedProxies:0"] = "127.0.0.1",
    };

    [Fact]
    public async Task Plain_http_is_redirected_with_308_to_the_same_path_on_the_public_url_never_to_the_Host_header()
    {
        await using var host = new PortalHost(settings: BehindProxy);
        using var client = host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/signin?returnUrl=%2Faccount", UriKind.Relative));
        request.Headers.Host = "attacker.example";

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal($"{PublicUrl}/signin?returnUrl=%2Faccount", response.Headers.Location!.OriginalString);
        Assert.Empty(SetCookie.In(response));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS belongs on https answers only.");
    }

    [Fact]
    public async Task A_proxy_that_is_not_trusted_gets_the_fix_instead_of_a_redirect_loop()
    {
        // The proxy terminates TLS, but its address (here loopback) is not in Portal:TrustedProxies.
        await using var host = new PortalHost(settings: new Dictionary<string, string?> { ["Portal:PublicUrl"] = PublicUrl, ["Portal:TrustedProxies:0"] = "10.9.8.7" });
        using var client = host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/integrations", UriKind.Relative));
        request.Headers.Add("X-Forwarded-Proto", "https");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("add the proxy's address to Portal:TrustedProxies", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(host.Logs.Entries, e => e.Category == "Portal.ReverseProxy" && e.Message.Contains("(127.0.0.1) to Portal:TrustedProxies", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_post_over_plain_http_is_redirected_with_308_so_the_method_is_kept()
    {
        await using var host = new PortalHost(settings: BehindProxy);
        using var client = host.CreateHttpClient();

        var response = await client.PostAsync(new Uri("/signout", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal($"{PublicUrl}/signout", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_health_endpoint_stays_reachable_over_plain_http()
    {
        await using var host = new PortalHost(settings: BehindProxy);
        using var client = host.CreateHttpClient();

        var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Over_https_pages_carry_HSTS_even_for_an_IP_address_host()
    {
        await using var host = new PortalHost(settings: BehindProxy);
        using var client = ProxiedClient(host);

        var response = await client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task Every_cookie_of_setup_sign_in_and_sign_out_is_Secure_with_the_Host_prefix_and_path_slash()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions
        {
            PortalSettings = BehindProxy,
            // The Bitbucket administrator pasted the portal's public callback URL.
            RegisteredRedirectUris = callback => [ToPublic(callback)],
        });
        var host = scenario.Host;
        using var client = ProxiedClient(host);
        // nginx's proxy_set_header Host $host: the portal sees the public host name.
        client.DefaultRequestHeaders.Host = new Uri(PublicUrl).Host;
        var jar = new ManualCookieJar();

        // The setup link, then the sign-in that makes the first administrator.
        var setup = await jar.SendAsync(client, Get(host.SetupLink));
        Assert.Equal("/integrations", setup.Headers.Location!.OriginalString);
        var start = await jar.SendAsync(client, Get($"/signin/start/{scenario.IntegrationId}?returnUrl=%2Faccount"));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var correlation = Assert.Single(SetCookie.In(start));
        Assert.StartsWith("__Host-Portal.Correlation.", correlation.Name, StringComparison.Ordinal);
        Assert.Contains($"redirect_uri={Uri.EscapeDataString(PublicUrl)}", start.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var authorized = await scenario.AuthorizeAsync(start.Headers.Location!);
        var callbackUrl = authorized.Headers.Location!;
        Assert.StartsWith($"{PublicUrl}/signin/callback/", callbackUrl.OriginalString, StringComparison.Ordinal);
        var callback = await jar.SendAsync(client, Get(callbackUrl.PathAndQuery));
        Assert.Equal("/account", callback.Headers.Location!.OriginalString);
        var callbackCookies = SetCookie.In(callback);
        Assert.Contains(callbackCookies, c => c.Name == correlation.Name && c.Deletes);
        Assert.Contains(callbackCookies, c => c.Name == "__Host-Portal.Auth" && !c.Deletes);
        Assert.Contains(callbackCookies, c => c.Name == "__Host-Portal.Status" && !c.Deletes);

        // The account page shows the welcome message (and so deletes its cookie) and renders the sign-out form.
        var account = await jar.SendAsync(client, Get("/account"));
        var html = await account.Content.ReadAsStringAsync();
        Assert.Contains("first administrator", html, StringComparison.Ordinal);
        Assert.Contains(SetCookie.In(account), c => c.Name == "__Host-Portal.Status" && c.Deletes);
        Assert.Contains(SetCookie.In(account), c => c.Name == "__Host-Portal.Antiforgery");
        using var signOut = new HttpRequestMessage(HttpMethod.Post, new Uri("/signout", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = ManualCookieJar.AntiforgeryTokenIn(html),
                ["returnUrl"] = "/",
            }),
        };
        var signedOut = await jar.SendAsync(client, signOut);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Contains(SetCookie.In(signedOut), c => c.Name == "__Host-Portal.Auth" && c.Deletes);
        Assert.DoesNotContain("__Host-Portal.Auth", jar.Names);

        Assert.NotEmpty(jar.Received);
        Assert.All(jar.Received, cookie =>
        {
            Assert.StartsWith("__Host-", cookie.Name, StringComparison.Ordinal);
            Assert.True(cookie.Secure, $"Not Secure: {cookie.Raw}");
            Assert.Equal("/", cookie.Path);
            Assert.False(cookie.Attributes.ContainsKey("domain"), cookie.Raw);
            Assert.True(cookie.HttpOnly, $"Not HttpOnly: {cookie.Raw}");
        });
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task With_an_http_public_url_cookies_keep_their_names_and_nothing_is_redirected()
    {
        await using var host = new PortalHost(settings: new Dictionary<string, string?> { ["Portal:TrustedProxies:0"] = "127.0.0.1" });
        using var client = host.CreateHttpClient();

        var page = await client.GetAsync(new Uri("/", UriKind.Relative));
        var setup = await client.GetAsync(new Uri(host.SetupLink));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.False(page.Headers.Contains("Strict-Transport-Security"));
        var cookies = SetCookie.In(page).Concat(SetCookie.In(setup)).ToList();
        Assert.Contains(cookies, c => c.Name == "Portal.Auth" && !c.Secure);
        Assert.Contains(cookies, c => c.Name == "Portal.Antiforgery" && !c.Secure);
        Assert.DoesNotContain(cookies, c => c.Name.StartsWith("__Host-", StringComparison.Ordinal));
    }

    /// <summary>A client that speaks plain http to the portal and says what a TLS-terminating proxy would say.</summary>
    private static HttpClient ProxiedClient(PortalHost host)
    {
        host.Start();
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(host.BaseUrl) };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.20");
        return client;
    }

    /// <summary>A GET of <paramref name="url"/>'s path and query (public URLs point at the proxy, the test talks to the portal).</summary>
    private static HttpRequestMessage Get(string url) =>
        new(HttpMethod.Get, new Uri(url.StartsWith('/') ? url : new Uri(url).PathAndQuery, UriKind.Relative));

    private static string ToPublic(string url) => Regex.Replace(url, "^http://127\\.0\\.0\\.1:[0-9]+", PublicUrl);
}
