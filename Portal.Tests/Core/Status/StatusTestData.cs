using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portal.Core.Platforms;
using Portal.Core.Integrations;
using Portal.Core.Status;

namespace Portal.Tests.Core.Status;

/// <summary>Integrations and reports for status tests, without any Bitbucket.</summary>
internal static class StatusTestData
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 14, 30, 0, TimeSpan.Zero);

    public static IntegrationInfo Integration(
        string name = "Acme Bitbucket", bool enabled = true, IntegrationVerification verification = IntegrationVerification.Verified,
        OAuthVersion oauth = OAuthVersion.OAuth2, string baseUrl = "https://bitbucket.example.com", Guid? id = null) =>
        new(id ?? Guid.NewGuid(), name, baseUrl, "8.9.1", oauth, enabled, verification,
            verification == IntegrationVerification.Verified ? Now.AddDays(-3) : null, Platform: "bitbucket-server", ServerName: "Bitbucket");

    public static IntegrationProbeReport Healthy(DateTimeOffset? at = null, int latency = 42, DateTimeOffset? certificateExpiresAt = null) =>
        new(at ?? Now, latency + 10, latency, "8.9.1", certificateExpiresAt ?? Now.AddDays(90), ProbeProblem.None,
        [
            new(ProbeStep.Dns, StepOutcome.Passed, "bitbucket.example.com resolves to 10.0.0.7.", null, 1),
            new(ProbeStep.TcpConnect, StepOutcome.Passed, "Connected to bitbucket.example.com:443 in 2 ms.", null, 2),
            new(ProbeStep.Tls, StepOutcome.Passed, "The certificate is trusted.", null, 3),
            new(ProbeStep.Server, StepOutcome.Passed, "Bitbucket 8.9.1 answered.", null, latency),
            new(ProbeStep.OAuthProvider, StepOutcome.Passed, "The OAuth 2 provider is installed.", null, 4),
        ]);

    public static IntegrationProbeReport Failed(ProbeProblem problem, ProbeStep step, string message, DateTimeOffset? at = null)
    {
        var steps = new List<ProbeStepResult>();
        foreach (var s in Enum.GetValues<ProbeStep>())
        {
            steps.Add(s < step ? new(s, StepOutcome.Passed, $"{s} passed.", null, 1)
                : s == step ? new(s, StepOutcome.Failed, message, "Try the hint.", 5)
                : new(s, StepOutcome.Skipped, "Not run.", null, 0));
        }
        return new IntegrationProbeReport(at ?? Now, 20, null, null, null, problem, steps);
    }

    /// <summary>A report and sign-in history that make the given status.</summary>
    public static (IntegrationInfo Integration, IntegrationProbeReport? Report, SignInSummary SignIns) For(IntegrationStatus status) => status switch
    {
        IntegrationStatus.Connected => (Integration(), Healthy(), SignInSummary.None),
        IntegrationStatus.NotVerified => (Integration(verification: IntegrationVerification.NotVerified), Healthy(), SignInSummary.None),
        IntegrationStatus.Degraded => (Integration(), Healthy(certificateExpiresAt: Now.AddDays(5)), SignInSummary.None),
        IntegrationStatus.VersionUnsupported => (Integration(), Failed(ProbeProblem.VersionUnsupported, ProbeStep.Server, "Bitbucket 7.17.0 is too old for OAuth 2."), SignInSummary.None),
        IntegrationStatus.TlsError => (Integration(), Failed(ProbeProblem.Tls, ProbeStep.Tls, "The certificate is not trusted."), SignInSummary.None),
        IntegrationStatus.Unreachable => (Integration(), Failed(ProbeProblem.Unreachable, ProbeStep.TcpConnect, "Nothing accepts connections."), SignInSummary.None),
        IntegrationStatus.Disabled => (Integration(enabled: false), Healthy(), SignInSummary.None),
        _ => (Integration(), null, SignInSummary.None),
    };

    /// <summary>A self-signed CA certificate's PEM that expires at <paramref name="notAfter"/>.</summary>
    public static string CaPem(DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Example Root CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(notAfter.AddYears(-1), notAfter);
        return certificate.ExportCertificatePem();
    }
}
