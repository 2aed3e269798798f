using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Portal.Core.Connections;
using Portal.Core.Platforms;
using Portal.Core.Security;
using Portal.Tests.Fakes;

namespace Portal.Tests.Core;

public class CertificateRejectionTests
{
    private static readonly Uri Server = new("https://bitbucket.example.com/");

    [Fact]
    public void A_server_that_leaves_out_its_intermediate_is_told_apart_from_a_changed_ca()
    {
        using var authority = TestCertificateAuthority.Create();
        using var sent = new X509Chain();
        sent.ChainPolicy.DisableCertificateDownloads = true;
        sent.Build(authority.Server); // only the server's certificate, as a server without its chain file sends it

        var rejected = Assert.Throws<ServerCertificateRejectedException>(() =>
            new ServerCertificateValidator([], [authority.Root]).Check(authority.Server, sent, SslPolicyErrors.RemoteCertificateChainErrors));
        var described = CertificateRejection.Describe(Server, rejected, new ServerConnectionOptions(), "Bitbucket");

        Assert.Equal(ProbeFailureKind.TlsUntrusted, described.Failure);
        Assert.Contains("without the CA certificate that issued it", described.Hint, StringComparison.Ordinal);
        Assert.Contains(authority.Issuing.Subject, described.Hint, StringComparison.Ordinal);
        // What the hint proposes works: the intermediate as the integration's anchor.
        Assert.Equal(CertificateTrust.Integration,
            new ServerCertificateValidator([], [authority.Issuing]).Check(authority.Server, sent, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void Sign_in_messages_keep_the_hint_and_do_not_offer_a_trust_the_integration_already_has()
    {
        var rejected = new ServerCertificateRejectedException("CN=bitbucket.example.com", "CN=New Issuing CA",
            SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot,
            DateTime.Now.AddDays(-1), DateTime.Now.AddDays(30), ["bitbucket.example.com"], false)
        {
            IntegrationTrustConfigured = true,
            PresentedChain =
            [
                new("CN=bitbucket.example.com", "CN=New Issuing CA", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), "AA", false, false, ""),
                new("CN=New Issuing CA", "CN=New Root", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(3), "BB", false, true, ""),
            ],
        };

        var message = ServerCertificateFailure.Describe(new HttpRequestException("TLS", rejected), Server, "Bitbucket")!;

        Assert.Contains("The certificate this integration trusts did not issue this one", message, StringComparison.Ordinal);
        Assert.DoesNotContain("can also trust", message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_ca_in_the_chain_is_named_instead_of_the_valid_server_certificate()
    {
        var now = DateTimeOffset.UtcNow;
        CertificateDetails Details(string subject, string issuer, DateTimeOffset notBefore, DateTimeOffset notAfter) =>
            new(subject, issuer, notBefore, notAfter, "AA", subject == issuer, subject != "CN=bitbucket.example.com", "");
        var rejected = new ServerCertificateRejectedException("CN=bitbucket.example.com", "CN=Issuing CA",
            SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid,
            now.AddDays(-10).LocalDateTime, now.AddDays(300).LocalDateTime, ["bitbucket.example.com"], false)
        {
            PresentedChain =
            [
                Details("CN=bitbucket.example.com", "CN=Issuing CA", now.AddDays(-10), now.AddDays(300)),
                Details("CN=Issuing CA", "CN=Old Root", now.AddYears(-5), now.AddYears(2)),
                Details("CN=Old Root", "CN=Old Root", now.AddYears(-20), new DateTimeOffset(2020, 5, 30, 10, 48, 38, TimeSpan.Zero)),
            ],
        };

        var described = CertificateRejection.Describe(Server, rejected, new ServerConnectionOptions(), "Bitbucket");

        Assert.Contains("The CA certificate \"CN=Old Root\"", described.Message, StringComparison.Ordinal);
        Assert.Contains("expired on 2020-05-30", described.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("is not valid before", described.Message, StringComparison.Ordinal);
    }
}
