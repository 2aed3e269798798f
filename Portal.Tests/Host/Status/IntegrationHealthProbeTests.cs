using Portal.Core.Connections;
using Portal.Core.Platforms;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;
using Portal.Core.Status;
using Portal.Tests.Fakes;

namespace Portal.Tests.Host.Status;

/// <summary>The chain of checks against the Bitbucket fake on a real loopback port.</summary>
public sealed class IntegrationHealthProbeTests : IAsyncDisposable
{
    private readonly List<BitbucketFake> fakes = [];
    private readonly List<string> tempFiles = [];

    private async Task<BitbucketFake> StartFakeAsync(BitbucketFakeOptions? options = null)
    {
        var fake = await BitbucketFake.StartAsync(options);
        fakes.Add(fake);
        return fake;
    }

    /// <summary>The health probe with Bitbucket as the integration's platform, both on the same client and options.</summary>
    private sealed class BitbucketHealthProbe(IntegrationHealthProbe probe, IPlatform platform)
    {
        public Task<IntegrationProbeReport> ProbeAsync(string baseUrl, OAuthVersion oauthVersion, CancellationToken ct) =>
            probe.ProbeAsync(platform, baseUrl, oauthVersion, ct);
    }

    private static BitbucketHealthProbe CreateProbe(TimeSpan? timeout = null, string? trustedCaFile = null, OutboundAddressGuard? guard = null, Uri? proxy = null)
    {
        var bitbucket = Options.Create(new ServerConnectionOptions { ProbeTimeout = TimeSpan.FromSeconds(5), TrustedCaFile = trustedCaFile });
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = new() { RemoteCertificateValidationCallback = ServerCertificateValidator.FromOptions(bitbucket.Value).Validate },
            UseProxy = proxy is not null,
            Proxy = proxy is null ? null : new WebProxy(proxy),
        };
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var platform = new BitbucketServerPlatform(new BitbucketVersionProbe(http, bitbucket), new BitbucketIdentityClient(http, Options.Create(new BitbucketClientOptions())));
        return new BitbucketHealthProbe(new IntegrationHealthProbe(bitbucket,
            Options.Create(new StatusOptions { ProbeTimeout = timeout ?? TimeSpan.FromSeconds(5) }), TimeProvider.System, guard ?? new OutboundAddressGuard())
        {
            ProxyFor = _ => proxy,
        }, platform);
    }

    private static Dictionary<ProbeStep, StepOutcome> Outcomes(IntegrationProbeReport report) =>
        report.Steps.ToDictionary(s => s.Step, s => s.Outcome);

    private static ProbeStepResult Step(IntegrationProbeReport report, ProbeStep step) => report.Steps.Single(s => s.Step == step);

    [Fact]
    public async Task A_healthy_bitbucket_passes_every_check_that_applies()
    {
        // Healthy for OAuth 2 means https: over http the provider step warns (see BitbucketProviderHostTests).
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Https = true });

        var report = await CreateProbe(trustedCaFile: await TrustedCaFileAsync(fake)).ProbeAsync(fake.BaseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.None, report.Problem);
        Assert.Equal(Enum.GetValues<ProbeStep>(), report.Steps.Select(s => s.Step));
        Assert.Equal(StepOutcome.NotApplicable, Step(report, ProbeStep.Dns).Outcome);
        Assert.Equal(StepOutcome.Passed, Step(report, ProbeStep.TcpConnect).Outcome);
        Assert.Equal(StepOutcome.Warning, Step(report, ProbeStep.Tls).Outcome); // the test certificate expires within a day
        Assert.Equal(StepOutcome.Passed, Step(report, ProbeStep.Server).Outcome);
        Assert.Equal(StepOutcome.Passed, Step(report, ProbeStep.OAuthProvider).Outcome);
        Assert.Equal("8.9.1", report.ServerVersion);
        Assert.NotNull(report.LatencyMilliseconds);
        Assert.Equal(1, fake.ApplicationPropertiesRequests);
        Assert.Equal(
            $"Bitbucket's OAuth 2 provider answers, and its metadata names {fake.BaseUrl} as Bitbucket's base URL, the same as this one.",
            Step(report, ProbeStep.OAuthProvider).Message);
    }

    [Fact]
    public async Task Behind_an_outbound_proxy_the_checks_go_through_it_instead_of_resolving_and_connecting_directly()
    {
        // The fake stands in for a forward proxy: it answers requests for any host in absolute form, as a proxy relays them.
        // The host does not resolve here, so a direct DNS check would fail.
        var fake = await StartFakeAsync();
        var proxy = new Uri(fake.BaseUrl);

        var report = await CreateProbe(proxy: proxy).ProbeAsync($"http://bitbucket.behind-proxy.invalid:{proxy.Port}", OAuthVersion.OAuth1, CancellationToken.None);

        Assert.Equal(ProbeProblem.None, report.Problem);
        Assert.Equal(StepOutcome.NotApplicable, Step(report, ProbeStep.Dns).Outcome);
        Assert.Contains($"through the proxy http://127.0.0.1:{proxy.Port} (HTTPS_PROXY / HTTP_PROXY), which resolves the name itself", Step(report, ProbeStep.Dns).Message, StringComparison.Ordinal);
        Assert.Equal(StepOutcome.NotApplicable, Step(report, ProbeStep.TcpConnect).Outcome);
        Assert.Equal(StepOutcome.NotApplicable, Step(report, ProbeStep.Tls).Outcome);
        Assert.Equal(StepOutcome.Passed, Step(report, ProbeStep.Server).Outcome);
        Assert.Equal("8.9.1", report.ServerVersion);
        Assert.Equal(1, fake.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task Without_metadata_the_provider_check_falls_back_to_the_401_of_the_client_resource()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Https = true, ProviderMetadata = ProviderMetadataMode.Absent });

        var report = await CreateProbe(trustedCaFile: await TrustedCaFileAsync(fake)).ProbeAsync(fake.BaseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.None, report.Problem);
        var provider = Step(report, ProbeStep.OAuthProvider);
        Assert.Equal(StepOutcome.Passed, provider.Outcome);
        Assert.Contains("answered 401, so Bitbucket's OAuth 2 provider is installed", provider.Message, StringComparison.Ordinal);
        Assert.Contains("could not compare Bitbucket's base URL setting", provider.Message, StringComparison.Ordinal);
    }

    private async Task<string> TrustedCaFileAsync(BitbucketFake fake)
    {
        var caFile = Path.GetTempFileName();
        tempFiles.Add(caFile);
        await File.WriteAllTextAsync(caFile, fake.Certificate!.ExportCertificatePem());
        return caFile;
    }

    [Fact]
    public async Task A_stopped_bitbucket_fails_at_tcp_connect_and_skips_the_rest()
    {
        var fake = await StartFakeAsync();
        await fake.StopAsync();

        var report = await CreateProbe().ProbeAsync(fake.BaseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.Unreachable, report.Problem);
        var tcp = Step(report, ProbeStep.TcpConnect);
        Assert.Equal(StepOutcome.Failed, tcp.Outcome);
        Assert.Equal($"Nothing accepts connections at 127.0.0.1:{fake.Port}: check the port in the base URL and that Bitbucket (or its proxy) is running.", tcp.Message);
        Assert.NotNull(tcp.Hint);
        Assert.All(report.Steps.Where(s => s.Step > ProbeStep.TcpConnect), s =>
        {
            Assert.Equal(StepOutcome.Skipped, s.Outcome);
            Assert.Equal("Not run, because the TCP connect check failed.", s.Message);
        });
    }

    [Fact]
    public async Task An_ipv6_address_keeps_its_brackets_so_the_port_stands_apart()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6)
        {
            return; // a machine without IPv6 has no [::1] to be refused at
        }
        using var free = new System.Net.Sockets.TcpListener(System.Net.IPAddress.IPv6Loopback, 0);
        free.Start();
        var port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();

        var report = await CreateProbe().ProbeAsync($"http://[::1]:{port}", OAuthVersion.OAuth2, CancellationToken.None);

        Assert.StartsWith($"Nothing accepts connections at [::1]:{port}:", Step(report, ProbeStep.TcpConnect).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_host_name_fails_at_dns()
    {
        var report = await CreateProbe(TimeSpan.FromSeconds(5)).ProbeAsync("http://bitbucket.invalid", OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.Unreachable, report.Problem);
        var dns = Step(report, ProbeStep.Dns);
        Assert.Equal(StepOutcome.Failed, dns.Outcome);
        Assert.Contains("bitbucket.invalid", dns.Message, StringComparison.Ordinal);
        Assert.Equal(StepOutcome.Skipped, Step(report, ProbeStep.TcpConnect).Outcome);
    }

    [Fact]
    public async Task A_resolver_that_never_answers_is_named_at_the_dns_step_when_the_time_is_up()
    {
        // A lookup under way on Linux ignores cancellation: this one answers after 3 s, whatever the token says.
        var guard = new OutboundAddressGuard(async (_, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None);
            return [IPAddress.Loopback];
        });

        var report = await CreateProbe(timeout: TimeSpan.FromSeconds(1), guard: guard).ProbeAsync("http://bitbucket.test:7990", OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.Unreachable, report.Problem);
        var dns = Step(report, ProbeStep.Dns);
        Assert.Equal(StepOutcome.Failed, dns.Outcome);
        Assert.StartsWith("Resolving bitbucket.test did not finish within 1 second", dns.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_name_that_resolves_to_a_link_local_address_fails_at_dns_and_nothing_connects()
    {
        var fake = await StartFakeAsync();
        var guard = new OutboundAddressGuard((_, _) => Task.FromResult(new[] { IPAddress.Parse("169.254.169.254") }));

        var report = await CreateProbe(guard: guard).ProbeAsync($"http://bitbucket.test:{fake.Port}", OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.Unreachable, report.Problem);
        var dns = Step(report, ProbeStep.Dns);
        Assert.Equal(StepOutcome.Failed, dns.Outcome);
        Assert.StartsWith("The portal refused to connect to bitbucket.test: it resolves to 169.254.169.254, a link-local address", dns.Message, StringComparison.Ordinal);
        Assert.Contains("correct its DNS record", dns.Message, StringComparison.Ordinal);
        Assert.All(report.Steps.Where(s => s.Step > ProbeStep.Dns), s => Assert.Equal(StepOutcome.Skipped, s.Outcome));
        Assert.Equal(0, fake.ApplicationPropertiesRequests);
    }

    [Theory]
    [InlineData("http://169.254.169.254", "169.254.169.254")]
    [InlineData("http://[fe80::1]:7990", "fe80::1")]
    public async Task A_stored_base_url_naming_a_link_local_address_fails_at_dns_without_connecting(string baseUrl, string address)
    {
        // Integrations created before the normaliser refused these keep their base URL; the status check refuses it too.
        var report = await CreateProbe().ProbeAsync(baseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        var dns = Step(report, ProbeStep.Dns);
        Assert.Equal(StepOutcome.Failed, dns.Outcome);
        Assert.StartsWith($"{address} is a link-local address (169.254.0.0/16, fe80::/10)", dns.Message, StringComparison.Ordinal);
        Assert.Contains("add it again with the server's real address", dns.Hint, StringComparison.Ordinal);
        Assert.Equal(StepOutcome.Skipped, Step(report, ProbeStep.TcpConnect).Outcome);
        Assert.InRange(Step(report, ProbeStep.Dns).DurationMilliseconds, 0, 1000);
    }

    [Fact]
    public async Task A_host_name_is_resolved_before_connecting()
    {
        var fake = await StartFakeAsync();
        fake.BaseUrlSetting = $"http://localhost:{fake.Port}";

        var report = await CreateProbe().ProbeAsync($"http://localhost:{fake.Port}", OAuthVersion.OAuth2, CancellationToken.None);

        var dns = Step(report, ProbeStep.Dns);
        Assert.Equal(StepOutcome.Passed, dns.Outcome);
        Assert.StartsWith("localhost resolves to ", dns.Message, StringComparison.Ordinal);
        Assert.Equal(ProbeProblem.None, report.Problem);
    }

    [Fact]
    public async Task An_oauth2_integration_on_bitbucket_7_17_is_version_unsupported()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Version = "7.17.0" });

        var report = await CreateProbe().ProbeAsync(fake.BaseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.VersionUnsupported, report.Problem);
        var properties = Step(report, ProbeStep.Server);
        Assert.Equal(StepOutcome.Failed, properties.Outcome);
        Assert.Contains("but this integration uses OAuth 2. Bitbucket 7.17.0 is too old for OAuth 2", properties.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade Bitbucket, or set the integration up again with OAuth 1.", properties.Message, StringComparison.Ordinal);
        Assert.Equal("7.17.0", report.ServerVersion);
        Assert.Equal(StepOutcome.Skipped, Step(report, ProbeStep.OAuthProvider).Outcome);
    }

    [Fact]
    public async Task An_oauth1_integration_on_bitbucket_7_17_is_fine_and_needs_no_oauth2_provider()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Version = "7.17.0" });

        var report = await CreateProbe().ProbeAsync(fake.BaseUrl, OAuthVersion.OAuth1, CancellationToken.None);

        Assert.Equal(ProbeProblem.None, report.Problem);
        Assert.Equal(StepOutcome.NotApplicable, Step(report, ProbeStep.OAuthProvider).Outcome);
    }

    [Fact]
    public async Task Bitbucket_7_20_passes_with_a_warning()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Version = "7.20.1" });

        var report = await CreateProbe().ProbeAsync(fake.BaseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.None, report.Problem);
        Assert.Equal(StepOutcome.Warning, Step(report, ProbeStep.Server).Outcome);
        Assert.Contains("7.20 introduced OAuth 2 application links, but 7.21 is the first version vendors document", Step(report, ProbeStep.Server).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_oauth2_provider_is_version_unsupported_and_says_where_to_enable_it()
    {
        var fake = await StartFakeAsync();
        fake.OAuth2ProviderInstalled = false;

        var report = await CreateProbe().ProbeAsync(fake.BaseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.VersionUnsupported, report.Problem);
        var provider = Step(report, ProbeStep.OAuthProvider);
        Assert.Equal(StepOutcome.Failed, provider.Outcome);
        Assert.Contains("open Manage apps", provider.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_login_page_instead_of_the_rest_api_is_misconfigured_not_unreachable_with_the_probes_explanation()
    {
        var fake = await StartFakeAsync();
        fake.Mode = FakeMode.HtmlLoginPage;

        var report = await CreateProbe().ProbeAsync(fake.BaseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        // The server answers; a login page in its place is a setting to fix, not a network problem.
        Assert.Equal(ProbeProblem.Misconfigured, report.Problem);
        Assert.Contains("login page", Step(report, ProbeStep.Server).Message, StringComparison.Ordinal);
        Assert.NotNull(Step(report, ProbeStep.Server).Hint);
    }

    [Fact]
    public async Task A_hung_bitbucket_times_out_after_the_probe_timeout()
    {
        var fake = await StartFakeAsync();
        fake.Mode = FakeMode.Slow;
        var watch = Stopwatch.StartNew();

        var report = await CreateProbe(TimeSpan.FromSeconds(1)).ProbeAsync(fake.BaseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        Assert.Equal(ProbeProblem.Unreachable, report.Problem);
        var properties = Step(report, ProbeStep.Server);
        Assert.Equal(StepOutcome.Failed, properties.Outcome);
        Assert.Equal($"Bitbucket at 127.0.0.1:{fake.Port} accepted the connection but did not answer the version check within 1 second: check that Bitbucket is running and not overloaded.", properties.Message);
        Assert.Equal("Status:ProbeTimeout sets how long the portal waits for the whole chain of checks.", properties.Hint);
        Assert.Equal(StepOutcome.Passed, Step(report, ProbeStep.TcpConnect).Outcome);
        Assert.Equal(StepOutcome.Skipped, Step(report, ProbeStep.OAuthProvider).Outcome);
    }

    [Fact]
    public async Task An_untrusted_certificate_is_a_tls_error_with_the_fix()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Https = true });

        var report = await CreateProbe().ProbeAsync(fake.BaseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.Tls, report.Problem);
        var tls = Step(report, ProbeStep.Tls);
        Assert.Equal(StepOutcome.Failed, tls.Outcome);
        Assert.Contains("is not trusted", tls.Message, StringComparison.Ordinal);
        Assert.Contains("Servers:TrustedCaFile", tls.Message, StringComparison.Ordinal);
        Assert.Equal(StepOutcome.Skipped, Step(report, ProbeStep.Server).Outcome);
        Assert.Equal(0, fake.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task A_certificate_trusted_through_the_ca_file_that_expires_within_a_day_passes_with_a_warning()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Https = true });
        var caFile = Path.GetTempFileName();
        tempFiles.Add(caFile);
        await File.WriteAllTextAsync(caFile, fake.Certificate!.ExportCertificatePem());

        var report = await CreateProbe(trustedCaFile: caFile).ProbeAsync(fake.BaseUrl, OAuthVersion.OAuth2, CancellationToken.None);

        Assert.Equal(ProbeProblem.None, report.Problem);
        var tls = Step(report, ProbeStep.Tls);
        Assert.Equal(StepOutcome.Warning, tls.Outcome);
        Assert.Contains("expires within a day", tls.Message, StringComparison.Ordinal);
        Assert.Contains("renew it on Bitbucket's server or proxy", tls.Message, StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(fake.Certificate.NotAfter.ToUniversalTime()), report.CertificateExpiresAt);
        Assert.Equal(StepOutcome.Passed, Step(report, ProbeStep.Server).Outcome);
        Assert.Equal(IntegrationStatus.Degraded, IntegrationStatusRules.Decide(
            new IntegrationInfo(Guid.NewGuid(), "Acme", fake.BaseUrl, null, OAuthVersion.OAuth2, true, IntegrationVerification.Verified, null, Platform: BitbucketServerPlatform.KindOf.Key),
            report, SignInSummary.None, DateTimeOffset.UtcNow).Status);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var fake in fakes)
        {
            await fake.DisposeAsync();
        }
        foreach (var file in tempFiles)
        {
            File.Delete(file);
        }
    }
}
