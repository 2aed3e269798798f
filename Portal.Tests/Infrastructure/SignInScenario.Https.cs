using System.Net.Security;
using Portal.Tests.Fakes;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// The https side of a scenario: Bitbucket's OAuth 2 provider refuses sign-ins without https, so the fake runs on https
/// with its self-signed test certificate. The portal trusts it the way an operator makes it trust an internal CA
/// (Servers:TrustedCaFile); the scenario's browser trusts it as a browser with that CA installed would.
/// </summary>
public sealed partial class SignInScenario
{
    /// <summary><paramref name="settings"/> plus Servers:TrustedCaFile naming a PEM file with the fake's certificate, when it serves https.</summary>
    private static IDictionary<string, string?>? TrustFakeCertificate(BitbucketFake? fake, IDictionary<string, string?>? settings)
    {
        if (fake?.Certificate is not { } certificate || (settings?.ContainsKey("Servers:TrustedCaFile") == true || settings?.ContainsKey("Bitbucket:TrustedCaFile") == true))
        {
            return settings;
        }
        var path = TrustedCaFilePath(fake);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Servers:TrustedCaFile"] = path };
    }

    /// <summary>What the integration itself trusts when <see cref="SignInScenarioOptions.TrustFakeThroughIntegration"/>: the fake's root CA, or its self-signed certificate.</summary>
    private static string? IntegrationTrustFor(BitbucketFake fake, SignInScenarioOptions options) =>
        options.TrustFakeThroughIntegration ? (fake.CertificateAuthority?.Root ?? fake.Certificate)?.ExportCertificatePem() : null;

    /// <summary>The browser's client for the provider's pages: no redirects followed, no cookies, the fake's certificate trusted.</summary>
    private static HttpClient NewProviderClient(BitbucketFake? fake) => new(new HttpClientHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            errors == SslPolicyErrors.None
            || (fake?.Certificate is { } trusted && certificate is not null && certificate.RawData.AsSpan().SequenceEqual(trusted.RawData)),
    });

    /// <summary>A client for requests a test sends straight to the provider, trusting the fake's certificate.</summary>
    public HttpClient NewProviderHttpClient() => NewProviderClient(Fake);

    private static string TrustedCaFilePath(BitbucketFake fake) =>
        Path.Combine(Path.GetTempPath(), $"bitbucket-fake-ca-{fake.Certificate!.Thumbprint}.pem");

    private void DeleteTrustedCaFile()
    {
        if (Fake?.Certificate is not null)
        {
            File.Delete(TrustedCaFilePath(Fake));
        }
    }
}
