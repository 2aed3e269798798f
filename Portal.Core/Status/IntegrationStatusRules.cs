using Portal.Core.Platforms;
using System.Globalization;
using System.Runtime.CompilerServices;
using Portal.Core.Integrations;
using Portal.Core.Security;

namespace Portal.Core.Status;

/// <summary>What the dashboard needs to know about an integration itself (never its secret).</summary>
/// <param name="ServerVersion">The version the wizard detected when the integration was created.</param>
public sealed record IntegrationInfo(
    Guid Id, string Name, string BaseUrl, string? ServerVersion, OAuthVersion OAuthVersion, bool Enabled,
    IntegrationVerification Verification, DateTimeOffset? VerifiedAt, string? TrustedCaPem = null, string Platform = "",
    string ServerName = "the server")
{
    /// <summary>When the certificate this integration trusts expires; <c>null</c> when it trusts none of its own.</summary>
    public DateTimeOffset? TrustedCaExpiresAt => TrustedCaPem is null ? null
        : TrustedCaExpiries.GetValue(TrustedCaPem, static pem => new(TrustedCertificatePem.Parse(pem, DateTimeOffset.MinValue).Certificate?.NotAfter)).Value;

    /// <summary>Whether a check of this integration says something about <paramref name="other"/>: the same address, trust, protocol and platform.</summary>
    public bool ChecksTheSameAs(IntegrationInfo other) =>
        BaseUrl == other.BaseUrl && OAuthVersion == other.OAuthVersion && Platform == other.Platform && TrustedCaPem == other.TrustedCaPem;

    /// <summary>What <see cref="ChecksTheSameAs"/> compares, as one value to store with a check's result.</summary>
    public string CheckedSettingsKey => SecretHash.Sha256Hex($"{Platform}\n{BaseUrl}\n{OAuthVersion}\n{TrustedCaPem}");

    // Every open dashboard asks on every render of the card; the PEM is parsed once per loaded value instead. Kept
    // outside the record's fields, which its equality compares.
    private static readonly ConditionalWeakTable<string, StrongBox<DateTimeOffset?>> TrustedCaExpiries = new();
}

/// <summary>The decided status and the sentence that explains it (cause and fix).</summary>
public sealed record StatusVerdict(IntegrationStatus Status, string Summary);

/// <summary>Turns the last chain of checks plus the sign-in history into one status (issue #6's definitions).</summary>
public static class IntegrationStatusRules
{
    /// <summary>
    /// How recent a successful sign-in must be to outweigh a failed check of the OAuth provider: the check reads optional
    /// resources (metadata, the client resource), and sign-ins that work are the better evidence.
    /// </summary>
    public static readonly TimeSpan SignInEvidence = TimeSpan.FromDays(7);

    /// <summary>Answers slower than this make an integration Degraded.</summary>
    public static readonly TimeSpan SlowAnswer = TimeSpan.FromSeconds(2);

    /// <summary>How long until <paramref name="expiresAt"/>, in whole days counted down from <paramref name="now"/>: "in 13 days".</summary>
    public static string InDays(DateTimeOffset expiresAt, DateTimeOffset now) => InDays((int)Math.Floor((expiresAt - now).TotalDays));

    /// <summary>"within a day", "in 1 day", "in 13 days".</summary>
    public static string InDays(int days) => days switch
    {
        <= 0 => "within a day",
        1 => "in 1 day",
        _ => string.Create(CultureInfo.InvariantCulture, $"in {days} days"),
    };

    /// <param name="backgroundChecks">Whether the scheduler checks integrations (Status:Enabled), which decides what
    /// "not checked yet" tells the reader to wait for.</param>
    public static StatusVerdict Decide(IntegrationInfo integration, IntegrationProbeReport? report, SignInSummary signIns, DateTimeOffset now, bool backgroundChecks = true)
    {
        if (!integration.Enabled)
        {
            return new StatusVerdict(IntegrationStatus.Disabled,
                "An administrator disabled this integration, so the portal does not check it and nobody can sign in through it; once it is enabled again, "
                + (backgroundChecks ? "the next pass checks it." : "choose Check now to check it (background checks are switched off)."));
        }
        if (report is null)
        {
            return new StatusVerdict(IntegrationStatus.NotChecked, backgroundChecks
                ? "The portal has not checked this integration yet: the scheduler checks it on its next pass, or choose Check now."
                : "The portal has not checked this integration yet, and background checks are switched off (Status:Enabled is false): choose Check now.");
        }
        var note = "";
        // Only what the provider check found about the provider's setup: an outage of its endpoints (5xx, no answer, a
        // timeout) stops the next sign-in too, however well the last one went.
        if (report.Problem is ProbeProblem.VersionUnsupported or ProbeProblem.Misconfigured && report.FirstFailure is { Step: ProbeStep.OAuthProvider } providerFailure
            && signIns.LastSuccessAt is { } worked && now - worked < SignInEvidence && !signIns.FailingSinceLastSuccess
            // Only sign-ins with the integration as it is now: an edit (base URL, OAuth version) verifies it afresh.
            && integration.Verification == IntegrationVerification.Verified && integration.VerifiedAt is { } verifiedAt && worked >= verifiedAt)
        {
            note = string.Create(CultureInfo.InvariantCulture,
                $" The check of its OAuth provider found a problem, but sign-ins through this integration work (the last at {worked.UtcDateTime:yyyy-MM-dd HH:mm} UTC), so it does not stop them; should sign-ins fail, this is the likely cause: {providerFailure.Message}");
        }
        else if (report.Problem != ProbeProblem.None)
        {
            var failure = report.FirstFailure?.Message ?? "A check failed.";
            return report.Problem switch
            {
                ProbeProblem.Tls => new StatusVerdict(IntegrationStatus.TlsError, failure),
                ProbeProblem.VersionUnsupported => new StatusVerdict(IntegrationStatus.VersionUnsupported, failure),
                ProbeProblem.Misconfigured => new StatusVerdict(IntegrationStatus.Misconfigured, failure),
                _ => new StatusVerdict(IntegrationStatus.Unreachable, failure),
            };
        }

        var concerns = new List<string>();
        if (report.CertificateExpiresAt is { } expiresAt && expiresAt - now < TimeSpan.FromDays(IntegrationHealthProbe.CertificateWarningDays))
        {
            concerns.Add(string.Create(CultureInfo.InvariantCulture,
                $"{PlatformWording.AtStart(integration.ServerName)}'s certificate expires {InDays(expiresAt, now)}, on {expiresAt.UtcDateTime:yyyy-MM-dd}: renew it on {integration.ServerName}'s server or proxy before then."));
        }
        if (integration.TrustedCaExpiresAt is { } caExpiresAt && caExpiresAt - now < TimeSpan.FromDays(IntegrationHealthProbe.CertificateWarningDays))
        {
            // Once it has expired, connections that depend on it fail; the date gives the administrator time to renew it.
            var date = caExpiresAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            concerns.Add(caExpiresAt < now
                ? $"The CA certificate this integration trusts expired on {date}: trust the CA's renewed certificate on the integration's Trusted certificate page."
                : $"The CA certificate this integration trusts expires {InDays(caExpiresAt, now)}, on {date}: trust the CA's renewed certificate on the integration's Trusted certificate page before then.");
        }
        if (signIns.FailingSinceLastSuccess)
        {
            var count = signIns.FailuresLast24Hours == 1 ? "1 sign-in" : string.Create(CultureInfo.InvariantCulture, $"{signIns.FailuresLast24Hours} sign-ins");
            concerns.Add($"{count} failed in the last 24 hours and none succeeded since; the portal recorded for the last one: {signIns.LastFailureReason ?? "no reason."}");
        }
        if (report.LatencyMilliseconds is { } latency && latency > SlowAnswer.TotalMilliseconds)
        {
            concerns.Add(string.Create(CultureInfo.InvariantCulture,
                $"{PlatformWording.AtStart(integration.ServerName)} took {latency / 1000.0:0.0} seconds to answer (more than {SlowAnswer.TotalSeconds:0}): check the load on {integration.ServerName} and the network between the portal and {integration.ServerName}."));
        }
        if (concerns.Count > 0)
        {
            return new StatusVerdict(IntegrationStatus.Degraded, string.Join(" ", concerns) + note);
        }

        var reachable = string.Create(CultureInfo.InvariantCulture,
            $"{PlatformWording.AtStart(integration.ServerName)}{(report.ServerVersion is { } version ? " " + version : "")} answers in {report.LatencyMilliseconds} ms and supports {(integration.OAuthVersion == OAuthVersion.OAuth2 ? "OAuth 2" : "OAuth 1")}");
        return integration.Verification == IntegrationVerification.Verified
            ? new StatusVerdict(IntegrationStatus.Connected, $"{reachable}, and signing in through this integration has worked.{note}")
            : new StatusVerdict(IntegrationStatus.NotVerified,
                $"{reachable}, but nobody has signed in through this integration yet: choose Verify on the Integrations page to test a sign-in.");
    }

}
