using System.Text.Json.Serialization;

namespace Portal.Core.Status;

/// <summary>The checks of <see cref="IntegrationHealthProbe"/>, in the order they run.</summary>
public enum ProbeStep
{
    Dns,
    TcpConnect,
    Tls,

    /// <summary>The platform's own check that its server answers, and with which version (<c>IPlatform.DetectAsync</c>).</summary>
    // Stored results keep the name this step had when one platform was built in.
    [JsonStringEnumMemberName("ApplicationProperties")]
    Server,
    OAuthProvider,
}

/// <summary>How one check ended.</summary>
public enum StepOutcome
{
    Passed,

    /// <summary>Passed, but with something to act on (for example a certificate expiring soon).</summary>
    Warning,

    Failed,

    /// <summary>Not run because an earlier check failed.</summary>
    Skipped,

    /// <summary>Not needed for this integration (DNS for an IP address, TLS for http, the OAuth 2 provider for OAuth 1).</summary>
    NotApplicable,
}

/// <summary>What went wrong, as far as the chain of checks can tell; sign-in history is added later by <see cref="IntegrationStatusRules"/>.</summary>
public enum ProbeProblem
{
    None = 0,
    Unreachable = 1,
    Tls = 2,
    VersionUnsupported = 3,
    /// <summary>The server answers, but a setting breaks sign-in: its base URL setting differs, or a proxy or plugin is in the way.</summary>
    Misconfigured = 4,
}

/// <summary>One check's result.</summary>
/// <param name="Step">Which check.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Message">A full sentence: what was found, or the cause and the fix.</param>
/// <param name="Hint">A further suggestion for fixing it, or <c>null</c>.</param>
/// <param name="DurationMilliseconds">How long the check took.</param>
public sealed record ProbeStepResult(ProbeStep Step, StepOutcome Outcome, string Message, string? Hint, int DurationMilliseconds)
{
    /// <summary>The check's name as the dashboard shows it.</summary>
    public static string NameOf(ProbeStep step) => step switch
    {
        ProbeStep.Dns => "DNS",
        ProbeStep.TcpConnect => "TCP connect",
        ProbeStep.Tls => "TLS",
        ProbeStep.Server => "Server",
        ProbeStep.OAuthProvider => "OAuth 2 provider",
        _ => step.ToString(),
    };

    /// <summary>The outcome as the dashboard shows it.</summary>
    public static string TextOf(StepOutcome outcome) => outcome switch
    {
        StepOutcome.Passed => "Passed",
        StepOutcome.Warning => "Warning",
        StepOutcome.Failed => "Failed",
        StepOutcome.Skipped => "Skipped",
        _ => "Not needed",
    };
}

/// <summary>The result of one run of the chain of checks for one integration.</summary>
/// <param name="CheckedAt">When the run started.</param>
/// <param name="DurationMilliseconds">How long the whole chain took.</param>
/// <param name="LatencyMilliseconds">How long the server took to answer the platform's version check; <c>null</c> when it did not answer.</param>
/// <param name="ServerVersion">The version the server reported, e.g. "8.9.1".</param>
/// <param name="CertificateExpiresAt">When the server's https certificate expires; <c>null</c> for http or when the handshake failed.</param>
/// <param name="Problem">The first failure's kind, or <see cref="ProbeProblem.None"/>.</param>
/// <param name="Steps">Every check, in order, including skipped ones.</param>
public sealed record IntegrationProbeReport(
    DateTimeOffset CheckedAt,
    int DurationMilliseconds,
    int? LatencyMilliseconds,
    string? ServerVersion,
    DateTimeOffset? CertificateExpiresAt,
    ProbeProblem Problem,
    IReadOnlyList<ProbeStepResult> Steps)
{
    /// <summary>The first failed step, if any.</summary>
    public ProbeStepResult? FirstFailure => Steps.FirstOrDefault(s => s.Outcome == StepOutcome.Failed);
}
