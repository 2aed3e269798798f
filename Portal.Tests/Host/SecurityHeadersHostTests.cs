using System.Net;
using System.Text.RegularExpressions;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

public sealed partial class SecurityHeadersHostTests : IAsyncLifetime
{
    private readonly PortalHost host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Theory]
    [InlineData("GET", "/", HttpStatusCode.OK)]
    [InlineData("GET", "/signin", HttpStatusCode.OK)]
    [InlineData("GET", "/healthz", HttpStatusCode.OK)]
    [InlineData("GET", "/app.css", HttpStatusCode.OK)]
    [InlineData("GET", "/_framework/blazor.web.js", HttpStatusCode.OK)]
    [InlineData("GET", "/setup?token=wrong", HttpStatusCode.Redirect)]
    [InlineData("GET", "/integrations", HttpStatusCode.Redirect)]
    [InlineData("GET", "/no-such-page", HttpStatusCode.NotFound)]
    [InlineData("PUT", "/signin", HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "/signout", HttpStatusCode.Redirect)]
    [InlineData("POST", "/access", HttpStatusCode.BadRequest)]
    public async Task Every_response_carries_the_security_headers(string method, string path, HttpStatusCode status)
    {
        using var client = host.CreateHttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method == "POST")
        {
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" });
        }

        var response = await client.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        var policy = Header(response, "Content-Security-Policy");
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("base-uri 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("img-src 'self' data:", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        // A form post that starts a sign-in redirects to Bitbucket; Chromium would apply form-action to that redirect.
        Assert.DoesNotContain("form-action", policy, StringComparison.Ordinal);
        Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS is only for an https public URL.");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/signin")]
    [InlineData("/access")]
    [InlineData("/no-such-page")]
    public async Task Pages_have_no_inline_script(string path)
    {
        using var client = host.CreateHttpClient();

        var html = await (await client.GetAsync(new Uri(path, UriKind.Relative))).Content.ReadAsStringAsync();

        var scripts = ScriptTag().Matches(html).Select(m => m.Value).ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, tag => Assert.Contains(" src=", tag, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_account_page_alone_may_show_the_Bitbucket_avatar()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var browser = scenario.NewBrowser();
        await scenario.SignInAsync(browser);
        var bitbucket = $"https://127.0.0.1:{scenario.Bitbucket.Port}";

        var account = await browser.Http.GetAsync(new Uri("/account", UriKind.Relative));
        var home = await browser.Http.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Contains($"{bitbucket}/users/ada/avatar.png", await account.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.EndsWith($"img-src 'self' data: {bitbucket}", Header(account, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.EndsWith("img-src 'self' data:", Header(home, "Content-Security-Policy"), StringComparison.Ordinal);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(", ", contentValues)
        : throw new Xunit.Sdk.XunitException($"{(int)response.StatusCode} {response.RequestMessage?.RequestUri} has no {name} header.");

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();
}
