using Portal.Core.Platforms;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;
using Portal.Tests.Fakes;

namespace Portal.Tests.Host.Trust;

/// <summary>The live check against a Bitbucket whose certificate comes from a private CA, with and without the integration's trust.</summary>
public sealed class IntegrationTrustProbeTests
{
    [Fact]
    public async Task Certificate_from_a_private_CA_is_refused_naming_subject_issuer_and_the_presented_chain()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true, CertificateFromTestCa = true });
        using var services = Services();

        var result = await services.GetRequiredService<BitbucketVersionProbe>().ProbeAsync(fake.BaseUrl, CancellationToken.None);

        Assert.Equal(ProbeFailureKind.TlsUntrusted, result.Failure);
        Assert.Contains($"subject \"{TestCertificateAuthority.ServerSubject}\", issued by \"{TestCertificateAuthority.IssuingSubject}\"", result.Message, StringComparison.Ordinal);
        // The server sends its certificate and the issuing CA; the root stays home.
        Assert.Equal([TestCertificateAuthority.ServerSubject, TestCertificateAuthority.IssuingSubject], result.PresentedChain.Select(c => c.Subject));
        var issuing = result.PresentedChain[1];
        Assert.Equal(CertificateDetails.From(fake.CertificateAuthority!.Issuing).Sha256Fingerprint, issuing.Sha256Fingerprint);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", issuing.Sha256Fingerprint);
        Assert.True(issuing.IsCertificateAuthority);
        Assert.Equal(TestCertificateAuthority.RootSubject, issuing.Issuer);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("issuing")]
    public async Task Certificate_is_found_while_the_integration_trusts_its_CA(string which)
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true, CertificateFromTestCa = true });
        using var services = Services();
        var probe = services.GetRequiredService<BitbucketVersionProbe>();
        var authority = fake.CertificateAuthority!;
        var pem = (which == "root" ? authority.Root : authority.Issuing).ExportCertificatePem();

        BitbucketProbeResult trusted;
        using (OutboundTrust.Use(pem))
        {
            trusted = await probe.ProbeAsync(fake.BaseUrl, CancellationToken.None);
        }
        var withoutTrust = await probe.ProbeAsync(fake.BaseUrl, CancellationToken.None);

        Assert.True(trusted.Found, trusted.Message);
        // The same client, after the trusted call: its pooled connection is not reused without the trust.
        Assert.Equal(ProbeFailureKind.TlsUntrusted, withoutTrust.Failure);
    }

    [Fact]
    public async Task Another_integrations_CA_does_not_help()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true, CertificateFromTestCa = true });
        using var otherAuthority = TestCertificateAuthority.Create();
        using var services = Services();

        using var trust = OutboundTrust.Use(otherAuthority.Root.ExportCertificatePem());
        var result = await services.GetRequiredService<BitbucketVersionProbe>().ProbeAsync(fake.BaseUrl, CancellationToken.None);

        Assert.Equal(ProbeFailureKind.TlsUntrusted, result.Failure);
        Assert.Contains("The certificate this integration trusts did not issue this one", result.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trusted_CA_does_not_excuse_a_host_name_the_certificate_does_not_cover()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true, CertificateFromTestCa = true });
        using var services = Services(resolveAnyNameToLoopback: true);

        using var trust = OutboundTrust.Use(fake.CertificateAuthority!.Root.ExportCertificatePem());
        var result = await services.GetRequiredService<BitbucketVersionProbe>().ProbeAsync($"https://not-covered.example.test:{fake.Port}", CancellationToken.None);

        Assert.Equal(ProbeFailureKind.TlsOther, result.Failure);
        Assert.Contains("is not valid for not-covered.example.test", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Self_signed_server_certificate_can_be_trusted_itself()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true });
        using var services = Services();

        using var trust = OutboundTrust.Use(fake.Certificate!.ExportCertificatePem());
        var result = await services.GetRequiredService<BitbucketVersionProbe>().ProbeAsync(fake.BaseUrl, CancellationToken.None);

        Assert.True(result.Found, result.Message);
    }

    private static ServiceProvider Services(bool resolveAnyNameToLoopback = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        if (resolveAnyNameToLoopback)
        {
            services.AddSingleton(new OutboundAddressGuard((_, _) => Task.FromResult(new[] { System.Net.IPAddress.Loopback })));
        }
        return services.AddBitbucketServerPlatform().BuildServiceProvider();
    }
}
