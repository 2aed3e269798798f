using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using System.Net.Sockets;
using Portal.Core.Platforms.GitLabSelfManaged;
using Portal.Tests.Fakes.GitLab;

namespace Portal.Tests.Host;

/// <summary><see cref="GitLabDiscovery"/> against the GitLab fake: every expected failure is a message with cause and fix.</summary>
public sealed class GitLabDiscoveryTests : IAsyncLifetime
{
    private readonly HttpClient http = new(new HttpClientHandler { AllowAutoRedirect = false });
    private GitLabFake fake = null!;

    public async Task InitializeAsync() => fake = await GitLabFake.StartAsync();

    public async Task DisposeAsync()
    {
        http.Dispose();
        await fake.DisposeAsync();
    }

    private Task<GitLabDiscoveryResult> Discover(string baseUrl, TimeSpan? timeout = null) =>
        new GitLabDiscovery(http, timeout).DiscoverAsync(baseUrl, CancellationToken.None);

    [Fact]
    public async Task GitLab_is_found_and_its_endpoints_are_read()
    {
        var result = await Discover(fake.BaseUrl);

        Assert.True(result.Found, result.Message);
        Assert.Equal($"GitLab at {fake.BaseUrl}", result.Message);
        Assert.Equal(fake.BaseUrl + "/oauth/token", result.Document!.TokenEndpoint);
        Assert.Contains("read_user", result.Document.ScopesSupported);
        Assert.Contains("S256", result.Document.CodeChallengeMethodsSupported);
        Assert.Equal(1, fake.DiscoveryRequests);
    }

    [Fact]
    public async Task A_relative_url_root_works_and_its_absence_is_a_404_that_names_it()
    {
        await using var rooted = await GitLabFake.StartAsync(new GitLabFakeOptions { RelativeUrlRoot = "/gitlab" });

        var found = await Discover(rooted.BaseUrl);
        var missing = await Discover($"http://127.0.0.1:{rooted.Port}");
        var wrong = await Discover($"http://127.0.0.1:{rooted.Port}/git");

        Assert.True(found.Found, found.Message);
        Assert.Equal(GitLabFailureKind.NotFound, missing.Failure?.Kind);
        Assert.Equal($"No GitLab answers at http://127.0.0.1:{rooted.Port} (/.well-known/openid-configuration answered 404): check the relative URL root: if GitLab lives under a path such as /gitlab, it must be part of the Base URL.", missing.Message);
        Assert.Equal($"No GitLab answers at http://127.0.0.1:{rooted.Port}/git (/git/.well-known/openid-configuration answered 404): check the relative URL root: is /git right, and is this GitLab's address?", wrong.Message);
    }

    [Fact]
    public async Task An_issuer_that_is_not_the_base_url_says_what_the_base_url_must_be()
    {
        fake.Issuer = "https://gitlab.example.com";

        var result = await Discover(fake.BaseUrl);

        Assert.Equal(GitLabFailureKind.IssuerMismatch, result.Failure?.Kind);
        Assert.Null(result.Document);
        Assert.Equal($"GitLab answered, but it calls itself https://gitlab.example.com, not {fake.BaseUrl}: the Base URL must be exactly https://gitlab.example.com.", result.Message);
        Assert.Contains("external_url", result.Failure!.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trailing_slash_on_the_base_url_or_the_issuer_does_not_matter()
    {
        fake.Issuer = fake.BaseUrl + "/";

        var result = await Discover(fake.BaseUrl + "/");

        Assert.True(result.Found, result.Message);
    }

    [Fact]
    public async Task A_GitLab_whose_discovery_document_a_proxy_refuses_is_recognised_by_its_API_and_says_what_answered_instead()
    {
        await using var rooted = await GitLabFake.StartAsync(new GitLabFakeOptions { RelativeUrlRoot = "/gitlab" });
        rooted.Mode = GitLabFakeMode.DiscoveryMissing;

        var result = await Discover(rooted.BaseUrl);

        Assert.True(result.Found, result.Message);
        Assert.Equal("/gitlab/.well-known/openid-configuration answered 404 Not Found", result.DiscoveryProblem);
        Assert.Equal(rooted.BaseUrl + "/oauth/authorize", result.Document!.AuthorizationEndpoint);
        Assert.Equal(rooted.BaseUrl + "/oauth/token", result.Document.TokenEndpoint);
        Assert.Equal(1, rooted.RequestsTo("/api/v4/version"));
        // Under a wrong relative URL root the API is not there either: the discovery's own failure, which names the root.
        var wrongRoot = await Discover($"http://127.0.0.1:{rooted.Port}");
        Assert.Equal(GitLabFailureKind.NotFound, wrongRoot.Failure?.Kind);
        Assert.Null(wrongRoot.DiscoveryProblem);
    }

    [Fact]
    public async Task A_proxy_that_forbids_well_known_is_passed_by_GitLab_s_API_too()
    {
        fake.Mode = GitLabFakeMode.DiscoveryMissing;
        fake.DiscoveryRefusalStatus = 403;

        var result = await Discover(fake.BaseUrl);

        Assert.True(result.Found, result.Message);
        Assert.Equal("/.well-known/openid-configuration answered 403 Forbidden", result.DiscoveryProblem);
    }

    [Fact]
    public async Task Another_application_s_JSON_at_the_API_s_address_does_not_make_a_missing_discovery_document_GitLab()
    {
        // A server that is not GitLab answers /api/v4/version with its own JSON 401: only GitLab's exact answer counts.
        await using var other = await OtherJsonServer.StartAsync();

        var result = await Discover(other.BaseUrl);

        Assert.False(result.Found);
        Assert.Equal(GitLabFailureKind.NotFound, result.Failure?.Kind);
        Assert.Equal(1, other.RequestsTo("/api/v4/version"));
    }

    [Fact]
    public async Task A_web_page_at_the_API_s_address_does_not_make_a_missing_discovery_document_GitLab()
    {
        fake.Mode = GitLabFakeMode.NotFound;

        var result = await Discover(fake.BaseUrl);

        Assert.False(result.Found);
        Assert.Equal(1, fake.RequestsTo("/api/v4/version"));
    }

    [Fact]
    public async Task Not_found_mode_is_no_gitlab_here()
    {
        fake.Mode = GitLabFakeMode.NotFound;

        var result = await Discover(fake.BaseUrl);

        Assert.Equal(GitLabFailureKind.NotFound, result.Failure?.Kind);
        Assert.StartsWith($"No GitLab answers at {fake.BaseUrl}", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GitLabFakeMode.ServerError, "GitLab answered 500 Internal Server Error at /.well-known/openid-configuration: GitLab or its proxy has a problem.")]
    [InlineData(GitLabFakeMode.BadGateway, "GitLab answered 502 Bad Gateway at /.well-known/openid-configuration: GitLab or its proxy has a problem.")]
    public async Task Server_errors_say_gitlab_has_a_problem(GitLabFakeMode mode, string start)
    {
        fake.Mode = mode;

        var result = await Discover(fake.BaseUrl);

        Assert.Equal(GitLabFailureKind.ServerError, result.Failure?.Kind);
        Assert.StartsWith(start, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limits_say_so_and_where_to_raise_them()
    {
        fake.Mode = GitLabFakeMode.RateLimited;

        var result = await Discover(fake.BaseUrl);

        Assert.Equal(GitLabFailureKind.ServerError, result.Failure?.Kind);
        Assert.StartsWith("GitLab is limiting the requests from the portal's address (429 Too Many Requests at /.well-known/openid-configuration)", result.Message, StringComparison.Ordinal);
        Assert.Contains("User and IP rate limits", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_to_the_sign_in_page_is_a_sign_in_failure()
    {
        fake.Mode = GitLabFakeMode.SignInRedirect;

        var result = await Discover(fake.BaseUrl);

        Assert.Equal(GitLabFailureKind.SignInPage, result.Failure?.Kind);
        Assert.Contains($"to a sign-in page ({fake.BaseUrl}/users/sign_in)", result.Message, StringComparison.Ordinal);
        Assert.Contains("without sign-in", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GitLab_sending_a_project_address_to_its_sign_in_page_names_its_root()
    {
        // Anonymous visitors of an address GitLab does not know (a private project, a wrong relative URL root) are sent to sign in.
        await using var rooted = await GitLabFake.StartAsync(new GitLabFakeOptions { RelativeUrlRoot = "/gitlab" });

        var result = await Discover($"{rooted.BaseUrl}/acme/widgets");

        Assert.Equal(GitLabFailureKind.Redirect, result.Failure?.Kind);
        Assert.Contains($"to GitLab's sign-in page ({rooted.BaseUrl}/users/sign_in)", result.Message, StringComparison.Ordinal);
        Assert.Contains($"GitLab appears to live at {rooted.BaseUrl}. Use that as the Base URL.", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_page_instead_of_json_is_a_sign_in_failure()
    {
        fake.Mode = GitLabFakeMode.SignInPage;

        var result = await Discover(fake.BaseUrl);

        Assert.Equal(GitLabFailureKind.SignInPage, result.Failure?.Kind);
        Assert.StartsWith("The server answered /.well-known/openid-configuration with a sign-in page", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_web_page_is_not_gitlab()
    {
        fake.Mode = GitLabFakeMode.HtmlPage;

        var result = await Discover(fake.BaseUrl);

        Assert.Equal(GitLabFailureKind.NotGitLab, result.Failure?.Kind);
        Assert.Contains("with a web page instead of GitLab's discovery document", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broken_json_is_not_gitlab()
    {
        fake.Mode = GitLabFakeMode.GarbageJson;

        var result = await Discover(fake.BaseUrl);

        Assert.Equal(GitLabFailureKind.NotGitLab, result.Failure?.Kind);
        Assert.Contains("not with GitLab's OpenID Connect discovery document", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_to_https_suggests_the_https_base_url_and_is_not_followed()
    {
        fake.Mode = GitLabFakeMode.Redirect;

        var result = await Discover(fake.BaseUrl);

        Assert.Equal(GitLabFailureKind.Redirect, result.Failure?.Kind);
        Assert.EndsWith($"If that is the same GitLab, use https://127.0.0.1:{fake.Port} as the Base URL.", result.Message, StringComparison.Ordinal);
        Assert.Equal(1, fake.DiscoveryRequests);
    }

    [Fact]
    public async Task A_slow_gitlab_times_out_with_a_message()
    {
        fake.Mode = GitLabFakeMode.Slow;

        var result = await Discover(fake.BaseUrl, TimeSpan.FromMilliseconds(300));

        Assert.Equal(GitLabFailureKind.Timeout, result.Failure?.Kind);
        Assert.Equal($"127.0.0.1:{fake.Port} did not answer within 0.3 seconds: check that GitLab is running and that no firewall or proxy drops the connection.", result.Message);
    }

    [Fact]
    public async Task A_stopped_gitlab_is_connection_refused()
    {
        await fake.StopAsync();

        var result = await Discover(fake.BaseUrl);

        Assert.Equal(GitLabFailureKind.ConnectionRefused, result.Failure?.Kind);
        Assert.Equal($"Nothing accepts connections at 127.0.0.1:{fake.Port}: check the port in the Base URL and that GitLab (or its proxy) is running.", result.Message);
    }

    [Fact]
    public async Task An_unknown_host_is_a_dns_failure()
    {
        var result = await Discover("https://gitlab.invalid");

        Assert.Equal(GitLabFailureKind.DnsFailure, result.Failure?.Kind);
        Assert.StartsWith("The host name gitlab.invalid could not be found", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_untrusted_certificate_is_a_tls_failure_that_names_the_fix()
    {
        await using var https = await GitLabFake.StartAsync(new GitLabFakeOptions { Https = true });

        var result = await Discover(https.BaseUrl);

        Assert.Equal(GitLabFailureKind.Tls, result.Failure?.Kind);
        Assert.Contains("install the CA certificate", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_to_a_plain_http_port_is_a_tls_failure()
    {
        var result = await Discover($"https://127.0.0.1:{fake.Port}");

        Assert.Equal(GitLabFailureKind.Tls, result.Failure?.Kind);
        Assert.Contains("check that this port serves https, or use http://", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_to_an_https_port_says_to_use_https()
    {
        await using var https = await GitLabFake.StartAsync(new GitLabFakeOptions { Https = true });

        var result = await Discover($"http://127.0.0.1:{https.Port}");

        Assert.Equal(GitLabFailureKind.Unreachable, result.Failure?.Kind);
        Assert.Equal($"127.0.0.1:{https.Port} did not answer with plain HTTP: if that port serves https, use https:// in the Base URL.", result.Message);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_swallowed()
    {
        fake.Mode = GitLabFakeMode.Slow;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new GitLabDiscovery(http).DiscoverAsync(fake.BaseUrl, cancel.Token));
    }

    [Fact]
    public async Task A_base_url_that_is_not_http_is_a_programming_error()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Discover("ftp://gitlab.example.com"));
    }
}

/// <summary>A server that is not GitLab: 404 for the discovery document, its own JSON 401 elsewhere.</summary>
internal sealed class OtherJsonServer : IAsyncDisposable
{
    private readonly Microsoft.AspNetCore.Builder.WebApplication app;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> requests = new(StringComparer.Ordinal);

    private OtherJsonServer(Microsoft.AspNetCore.Builder.WebApplication app) => this.app = app;

    public string BaseUrl => app.Urls.First();

    public int RequestsTo(string path) => requests.GetValueOrDefault(path);

    public static async Task<OtherJsonServer> StartAsync()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var server = new OtherJsonServer(builder.Build());
        server.app.Run(async context =>
        {
            server.requests.AddOrUpdate(context.Request.Path.Value ?? "/", 1, (_, n) => n + 1);
            context.Response.StatusCode = context.Request.Path.StartsWithSegments("/.well-known", StringComparison.Ordinal) ? 404 : 401;
            await context.Response.WriteAsJsonAsync(new { message = "Authentication required" });
        });
        await server.app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
