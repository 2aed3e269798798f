using Portal.Core.Connections;
using Portal.Core.Platforms;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;
using Portal.Tests.Fakes;

namespace Portal.Tests.Host;

public sealed class BitbucketVersionProbeTests : IDisposable
{
    private const string PropertiesPath = "/rest/api/1.0/application-properties";
    private readonly List<string> _tempFiles = [];

    public void Dispose()
    {
        foreach (var file in _tempFiles)
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Bitbucket_8_9_1_is_found()
    {
        await using var fake = await BitbucketFake.StartAsync();

        var result = await Probe(fake.BaseUrl);

        Assert.True(result.Found);
        Assert.Null(result.Failure);
        Assert.Equal(new BitbucketVersion(8, 9, 1, null), result.Version);
        Assert.Equal("Bitbucket 8.9.1", result.Message);
        Assert.Equal(OAuthVersion.OAuth2, result.Compatibility?.OAuthVersion);
        Assert.Equal(1, fake.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task The_probe_names_the_portal_in_its_User_Agent()
    {
        await using var fake = await BitbucketFake.StartAsync();

        await Probe(fake.BaseUrl);

        var request = Assert.Single(fake.UserAgents);
        Assert.Equal(PropertiesPath, request.Path);
        Assert.Matches(@"^IntegrationPortal/\d+\.\d+\.\d+$", request.UserAgent);
    }

    [Fact]
    public async Task Context_path_bitbucket_works()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket" });

        var result = await Probe(fake.BaseUrl);

        Assert.EndsWith("/bitbucket", fake.BaseUrl, StringComparison.Ordinal);
        Assert.True(result.Found, result.Message);
        Assert.Equal("Bitbucket 8.9.1", result.Message);
    }

    [Fact]
    public async Task Missing_context_path_gives_a_404_that_asks_for_it()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket" });

        var result = await Probe($"http://127.0.0.1:{fake.Port}");

        Assert.Equal(ProbeFailureKind.NotFound, result.Failure);
        Assert.False(result.Found);
        Assert.Equal("Bitbucket answered 404 at /rest/api/1.0/application-properties: is the context path (for example /bitbucket) part of the base URL?", result.Message);
        Assert.Equal(0, fake.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task Wrong_context_path_gives_a_404_that_names_it()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket" });

        var result = await Probe($"http://127.0.0.1:{fake.Port}/stash");

        Assert.Equal(ProbeFailureKind.NotFound, result.Failure);
        Assert.Equal("Bitbucket answered 404 at /stash/rest/api/1.0/application-properties: is /stash the right context path, and is this Bitbucket's address?", result.Message);
    }

    [Fact]
    public async Task Not_found_mode_gives_the_context_path_hint()
    {
        await using var fake = await BitbucketFake.StartAsync();
        fake.Mode = FakeMode.NotFound;

        var result = await Probe(fake.BaseUrl);

        Assert.Equal(ProbeFailureKind.NotFound, result.Failure);
        Assert.Contains("is the context path (for example /bitbucket) part of the base URL?", result.Message);
    }

    [Fact]
    public async Task Old_Bitbucket_is_found_and_needs_OAuth_1()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Version = "7.17.0" });

        var result = await Probe(fake.BaseUrl);

        Assert.True(result.Found);
        Assert.Equal("Bitbucket 7.17.0", result.Message);
        Assert.Equal(OAuthVersion.OAuth1, result.Compatibility?.OAuthVersion);
        Assert.True(result.Compatibility?.IsWarning);
    }

    [Fact]
    public async Task Version_changed_at_run_time_is_reported()
    {
        await using var fake = await BitbucketFake.StartAsync();
        fake.Version = "9.4.22";

        var result = await Probe(fake.BaseUrl);

        Assert.Equal("Bitbucket 9.4.22", result.Message);
    }

    [Fact]
    public async Task Login_page_mentions_the_2FA_plugin_OAuth_whitelist()
    {
        await using var fake = await BitbucketFake.StartAsync();
        fake.Mode = FakeMode.HtmlLoginPage;

        var result = await Probe(fake.BaseUrl);

        Assert.Equal(ProbeFailureKind.LoginPage, result.Failure);
        Assert.Equal(
            $"The server answered {PropertiesPath} with a login page instead of Bitbucket's REST API: a proxy, single sign-on gateway or plugin asks for sign-in where Bitbucket needs none. Let /rest/ through without sign-in.",
            result.Message);
        Assert.Contains("\"U2F & TOTP\"", result.Hint);
        Assert.Contains("Enable OAuth whitelist", result.Hint);
    }

    [Fact]
    public async Task Other_html_page_is_reported_as_a_proxy_or_other_site()
    {
        await using var fake = await BitbucketFake.StartAsync();
        fake.Mode = FakeMode.HtmlOther;

        var result = await Probe(fake.BaseUrl);

        Assert.Equal(ProbeFailureKind.OtherServer, result.Failure);
        Assert.Equal(
            $"The server answered {PropertiesPath} with a web page instead of Bitbucket's REST API: the base URL probably points to a proxy or another web site. Enter the address of Bitbucket itself, including its context path.",
            result.Message);
    }

    [Fact]
    public async Task Garbage_json_is_not_Bitbucket()
    {
        await using var fake = await BitbucketFake.StartAsync();
        fake.Mode = FakeMode.GarbageJson;

        var result = await Probe(fake.BaseUrl);

        Assert.Equal(ProbeFailureKind.OtherServer, result.Failure);
        Assert.Equal(
            $"The server answered {PropertiesPath}, but not with valid JSON, so it is not Bitbucket's REST API: check that the base URL points to Bitbucket and not to a proxy.",
            result.Message);
    }

    [Fact]
    public async Task Json_of_another_application_names_that_application()
    {
        await using var fake = await BitbucketFake.StartAsync();
        fake.Mode = FakeMode.NonBitbucketJson;

        var result = await Probe(fake.BaseUrl);

        Assert.Equal(ProbeFailureKind.OtherServer, result.Failure);
        Assert.Equal(
            $"The server answered {PropertiesPath} as \"Jira\", not as Bitbucket: check that the base URL is Bitbucket's address, not a proxy's or another application's.",
            result.Message);
        Assert.Null(result.Version);
    }

    [Fact]
    public async Task Server_error_names_the_status()
    {
        await using var fake = await BitbucketFake.StartAsync();
        fake.Mode = FakeMode.ServerError;

        var result = await Probe(fake.BaseUrl);

        Assert.Equal(ProbeFailureKind.ServerError, result.Failure);
        Assert.StartsWith($"Bitbucket answered 503 Service Unavailable at {PropertiesPath}: the server or its proxy has a problem.", result.Message);
    }

    [Fact]
    public async Task Redirect_to_https_is_reported_with_the_address_to_use()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket" });
        fake.Mode = FakeMode.Redirect;

        var result = await Probe(fake.BaseUrl);

        Assert.Equal(ProbeFailureKind.Redirect, result.Failure);
        Assert.Equal(
            $"The server redirected /bitbucket{PropertiesPath} to https://127.0.0.1:{fake.Port}/bitbucket{PropertiesPath}; the portal does not follow redirects. If that is the same Bitbucket, use https://127.0.0.1:{fake.Port}/bitbucket as the base URL.",
            result.Message);
        Assert.Equal(1, fake.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task Redirect_is_never_followed()
    {
        await using var target = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket" });
        await using var fake = await BitbucketFake.StartAsync();
        fake.Mode = FakeMode.Redirect;
        fake.RedirectLocation = target.BaseUrl + PropertiesPath;

        var result = await Probe(fake.BaseUrl);

        Assert.Equal(ProbeFailureKind.Redirect, result.Failure);
        Assert.Contains($"use {target.BaseUrl} as the base URL", result.Message);
        Assert.Equal(0, target.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task Redirect_to_another_host_is_flagged()
    {
        await using var fake = await BitbucketFake.StartAsync();
        fake.Mode = FakeMode.Redirect;
        fake.RedirectLocation = "https://sso.example.com/login?return=%2Frest";

        var result = await Probe(fake.BaseUrl);

        Assert.Equal(ProbeFailureKind.Redirect, result.Failure);
        Assert.Equal(
            $"The server redirected {PropertiesPath} to https://sso.example.com/login?return=%2Frest; the portal does not follow redirects. Bitbucket answers {PropertiesPath} without a redirect: check the base URL, or let the proxy or single sign-on gateway pass /rest/ through.",
            result.Message);
        Assert.Equal("The redirect leads to another host (sso.example.com); the portal never follows it.", result.Hint);
    }

    [Fact]
    public async Task Slow_server_times_out_after_the_configured_timeout()
    {
        await using var fake = await BitbucketFake.StartAsync();
        fake.Mode = FakeMode.Slow;
        var stopwatch = Stopwatch.StartNew();

        var result = await Probe(fake.BaseUrl, probeTimeout: TimeSpan.FromMilliseconds(300));

        Assert.Equal(ProbeFailureKind.Timeout, result.Failure);
        Assert.StartsWith($"127.0.0.1:{fake.Port} did not answer within 0.3 seconds: check that Bitbucket is running", result.Message);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Slow_server_that_answers_in_time_is_found()
    {
        await using var fake = await BitbucketFake.StartAsync();
        fake.Mode = FakeMode.Slow;
        fake.SlowDelay = TimeSpan.FromMilliseconds(50);

        var result = await Probe(fake.BaseUrl);

        Assert.True(result.Found, result.Message);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_reported_as_a_timeout()
    {
        await using var fake = await BitbucketFake.StartAsync();
        fake.Mode = FakeMode.Slow;
        using var services = Services();
        var probe = services.GetRequiredService<BitbucketVersionProbe>();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.ProbeAsync(fake.BaseUrl, cancel.Token));
    }

    [Fact]
    public async Task Unknown_host_is_a_dns_failure_naming_the_host()
    {
        var result = await Probe("https://nonexistent.invalid");

        Assert.Equal(ProbeFailureKind.DnsFailure, result.Failure);
        Assert.Equal("The host name nonexistent.invalid could not be found: check the spelling of the Base URL or the DNS.", result.Message);
    }

    [Fact]
    public async Task A_name_that_resolves_to_a_link_local_address_is_refused_without_connecting_anywhere()
    {
        // The name also resolves to a listening loopback port: the guard must refuse the name, not just skip the address.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var resolved = new List<string>();
        var guard = new OutboundAddressGuard((host, _) =>
        {
            resolved.Add(host);
            return Task.FromResult(new[] { IPAddress.Parse("169.254.169.254"), IPAddress.Loopback });
        });
        using var services = Services(guard: guard);

        var result = await services.GetRequiredService<BitbucketVersionProbe>().ProbeAsync($"http://bitbucket.test:{port}", CancellationToken.None);

        Assert.Equal(ProbeFailureKind.AddressRefused, result.Failure);
        Assert.Equal(
            "The portal refused to connect to bitbucket.test: it resolves to 169.254.169.254, a link-local address (169.254.0.0/16, fe80::/10), " +
            "where cloud platforms serve instance metadata and credentials. Enter the address the server is served at; if bitbucket.test is the server's name, correct its DNS record.",
            result.Message);
        Assert.Equal(["bitbucket.test"], resolved);
        Assert.False(listener.Pending());
    }

    [Theory]
    [InlineData("fe80::1")]
    [InlineData("::ffff:169.254.169.254")]
    public async Task Ipv6_link_local_and_ipv4_mapped_answers_are_refused_too(string address)
    {
        var guard = new OutboundAddressGuard((_, _) => Task.FromResult(new[] { IPAddress.Parse(address) }));
        using var services = Services(guard: guard);

        var result = await services.GetRequiredService<BitbucketVersionProbe>().ProbeAsync("http://bitbucket.test:7990", CancellationToken.None);

        Assert.Equal(ProbeFailureKind.AddressRefused, result.Failure);
        Assert.Contains($"it resolves to {address}, a link-local address", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_that_resolves_to_amazons_ipv6_metadata_address_is_refused_and_the_message_names_it()
    {
        var guard = new OutboundAddressGuard((_, _) => Task.FromResult(new[] { IPAddress.Parse("fd00:ec2::254") }));
        using var services = Services(guard: guard);

        var result = await services.GetRequiredService<BitbucketVersionProbe>().ProbeAsync("http://bitbucket.test:7990", CancellationToken.None);

        Assert.Equal(ProbeFailureKind.AddressRefused, result.Failure);
        Assert.StartsWith("The portal refused to connect to bitbucket.test: it resolves to fd00:ec2::254, Amazon EC2's IPv6 instance metadata address, " +
            "where cloud platforms serve instance metadata and credentials.", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_that_resolves_to_an_ordinary_address_is_connected_to_as_usual()
    {
        await using var fake = await BitbucketFake.StartAsync();
        var guard = new OutboundAddressGuard((_, _) => Task.FromResult(new[] { IPAddress.Loopback }));
        using var services = Services(guard: guard);

        var result = await services.GetRequiredService<BitbucketVersionProbe>().ProbeAsync($"http://bitbucket.test:{fake.Port}", CancellationToken.None);

        Assert.True(result.Found, result.Message);
        Assert.Equal(1, fake.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task Closed_port_is_connection_refused_naming_host_and_port()
    {
        var port = ClosedLoopbackPort();

        var result = await Probe($"http://127.0.0.1:{port}");

        Assert.Equal(ProbeFailureKind.ConnectionRefused, result.Failure);
        Assert.Equal(
            $"Nothing accepts connections at 127.0.0.1:{port}: check the port in the Base URL and that Bitbucket (or its proxy) is running.",
            result.Message);
    }

    [Fact]
    public async Task Untrusted_certificate_names_its_subject_and_issuer()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true });

        var result = await Probe(fake.BaseUrl);

        Assert.Equal(ProbeFailureKind.TlsUntrusted, result.Failure);
        Assert.Equal(
            $"The certificate of 127.0.0.1:{fake.Port} is not trusted (subject \"CN=localhost, O=Bitbucket Fake\", issued by \"CN=localhost, O=Bitbucket Fake\"): install the issuing CA certificate on the portal's machine, or set Servers:TrustedCaFile to a PEM file that contains it.",
            result.Message);
        Assert.Contains("self-signed", result.Hint);
    }

    [Fact]
    public async Task Certificate_trusted_through_TrustedCaFile_is_found()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true, ContextPath = "/bitbucket" });
        var pem = WritePem(fake.Certificate!.ExportCertificatePem());

        var result = await Probe(fake.BaseUrl, trustedCaFile: pem);

        Assert.StartsWith("https://127.0.0.1:", fake.BaseUrl, StringComparison.Ordinal);
        Assert.True(result.Found, result.Message);
        Assert.Equal("Bitbucket 8.9.1", result.Message);
    }

    [Fact]
    public async Task TrustedCaFile_with_another_CA_still_rejects_the_certificate()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true });
        await using var other = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true });
        var pem = WritePem(other.Certificate!.ExportCertificatePem());

        var result = await Probe(fake.BaseUrl, trustedCaFile: pem);

        Assert.Equal(ProbeFailureKind.TlsUntrusted, result.Failure);
    }

    [Fact]
    public async Task Https_to_a_plain_http_port_is_a_tls_failure()
    {
        await using var fake = await BitbucketFake.StartAsync();

        var result = await Probe($"https://127.0.0.1:{fake.Port}");

        Assert.Equal(ProbeFailureKind.TlsOther, result.Failure);
        Assert.StartsWith($"The TLS handshake with 127.0.0.1:{fake.Port} failed (", result.Message);
        Assert.EndsWith("): check that this port serves https, or use http:// if it serves plain http.", result.Message);
    }

    [Fact]
    public async Task Plain_http_to_an_https_port_suggests_https()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true });

        var result = await Probe($"http://127.0.0.1:{fake.Port}");

        Assert.False(result.Found);
        Assert.Contains("https://", result.Message + result.Hint);
    }

    [Fact]
    public async Task Probe_works_again_after_the_fake_restarts_on_the_same_port()
    {
        await using var fake = await BitbucketFake.StartAsync();
        using var services = Services();
        var probe = services.GetRequiredService<BitbucketVersionProbe>();
        var port = fake.Port;
        Assert.True((await probe.ProbeAsync(fake.BaseUrl, CancellationToken.None)).Found);

        await fake.StopAsync();
        var down = await probe.ProbeAsync(fake.BaseUrl, CancellationToken.None);
        await fake.StartAgainAsync();
        var up = await probe.ProbeAsync(fake.BaseUrl, CancellationToken.None);

        Assert.Equal(ProbeFailureKind.ConnectionRefused, down.Failure);
        Assert.True(up.Found, up.Message);
        Assert.Equal(port, fake.Port);
        Assert.Equal(2, fake.ApplicationPropertiesRequests);
    }

    [Fact]
    public void Missing_TrustedCaFile_fails_options_validation_naming_the_key()
    {
        using var services = Services(trustedCaFile: "/nonexistent/ca.pem");

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ServerConnectionOptions>>().Value);

        Assert.Contains("Servers:TrustedCaFile '/nonexistent/ca.pem' does not exist", error.Message);
    }

    [Fact]
    public void Probe_timeout_defaults_to_5_seconds()
    {
        using var services = Services();

        Assert.Equal(TimeSpan.FromSeconds(5), services.GetRequiredService<IOptions<ServerConnectionOptions>>().Value.ProbeTimeout);
    }

    private async Task<BitbucketProbeResult> Probe(string baseUrl, TimeSpan? probeTimeout = null, string? trustedCaFile = null)
    {
        using var services = Services(probeTimeout, trustedCaFile);
        return await services.GetRequiredService<BitbucketVersionProbe>().ProbeAsync(baseUrl, CancellationToken.None);
    }

    [Fact]
    public void Connection_settings_written_under_Bitbucket_before_GitLab_joined_still_apply()
    {
        using var certificate = FakeCertificate.CreateSelfSigned();
        var caFile = WritePem(certificate.ExportCertificatePem());
        using var services = Services(TimeSpan.FromSeconds(9), caFile, section: "Bitbucket");

        var options = services.GetRequiredService<IOptions<ServerConnectionOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(9), options.ProbeTimeout);
        Assert.Equal(caFile, options.TrustedCaFile);
    }

    private static ServiceProvider Services(TimeSpan? probeTimeout = null, string? trustedCaFile = null, OutboundAddressGuard? guard = null, string section = ServerConnectionOptions.Section)
    {
        var settings = new Dictionary<string, string?>();
        if (probeTimeout is { } timeout)
        {
            settings[$"{section}:ProbeTimeout"] = timeout.ToString("c");
        }
        if (trustedCaFile is not null)
        {
            settings[$"{section}:TrustedCaFile"] = trustedCaFile;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        if (guard is not null)
        {
            services.AddSingleton(guard);
        }
        return services.AddServerConnections().AddBitbucketServerPlatform().BuildServiceProvider();
    }

    private string WritePem(string pem)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bitbucket-fake-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, pem);
        _tempFiles.Add(path);
        return path;
    }

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
