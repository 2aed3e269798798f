using Portal.Core.Platforms;
using System.Globalization;
using MudBlazor;
using Portal.Core.Integrations;
using Portal.Core.Status;

namespace Portal.Features.Status;

/// <summary>How the dashboard shows statuses, steps and times. Times are UTC, written out, so they need no time zone guess.</summary>
internal static class StatusFormat
{
    public static Color ColorOf(IntegrationStatus status) => status switch
    {
        IntegrationStatus.Connected => Color.Success,
        IntegrationStatus.NotVerified => Color.Info,
        IntegrationStatus.Degraded => Color.Warning,
        IntegrationStatus.Misconfigured or IntegrationStatus.VersionUnsupported or IntegrationStatus.TlsError or IntegrationStatus.Unreachable => Color.Error,
        _ => Color.Default,
    };

    public static string IconOf(IntegrationStatus status) => status switch
    {
        IntegrationStatus.Connected => Icons.Material.Filled.CheckCircle,
        IntegrationStatus.NotVerified => Icons.Material.Filled.HelpOutline,
        IntegrationStatus.Degraded => Icons.Material.Filled.Warning,
        IntegrationStatus.Misconfigured => Icons.Material.Filled.SettingsSuggest,
        IntegrationStatus.VersionUnsupported => Icons.Material.Filled.Extension,
        IntegrationStatus.TlsError => Icons.Material.Filled.LockOpen,
        IntegrationStatus.Unreachable => Icons.Material.Filled.CloudOff,
        IntegrationStatus.Disabled => Icons.Material.Filled.Block,
        _ => Icons.Material.Filled.Schedule,
    };

    /// <summary>The classes MudChip gives a chip of this status's colour (the dashboard writes the chip's markup itself).</summary>
    public static string ChipClass(IntegrationStatus status, string variant, string size) =>
        $"mud-chip mud-chip-{variant} mud-chip-size-{size} mud-chip-color-{ColorOf(status).ToString().ToLowerInvariant()} ma-0";

    /// <summary>The classes MudIcon gives a small step icon of this colour, with a margin to the step's name.</summary>
    public static string StepIconClass(Color color) => color == Color.Default
        ? "mud-icon-root mud-icon-default mud-svg-icon mud-icon-size-small mr-2"
        : $"mud-icon-root mud-svg-icon mud-{color.ToString().ToLowerInvariant()}-text mud-icon-size-small mr-2";

    /// <summary>The CSS class of a cell in the availability strip.</summary>
    public static string CellClassOf(IntegrationStatus? worst) => worst switch
    {
        null => "status-cell-none",
        IntegrationStatus.Connected => "status-cell-ok",
        IntegrationStatus.NotVerified => "status-cell-info",
        IntegrationStatus.Degraded => "status-cell-warning",
        IntegrationStatus.Misconfigured or IntegrationStatus.VersionUnsupported or IntegrationStatus.TlsError or IntegrationStatus.Unreachable => "status-cell-error",
        _ => "status-cell-none",
    };

    public static (string Icon, Color Color) StepIconOf(StepOutcome outcome) => outcome switch
    {
        StepOutcome.Passed => (Icons.Material.Filled.CheckCircle, Color.Success),
        StepOutcome.Warning => (Icons.Material.Filled.Warning, Color.Warning),
        StepOutcome.Failed => (Icons.Material.Filled.Cancel, Color.Error),
        StepOutcome.Skipped => (Icons.Material.Filled.RemoveCircleOutline, Color.Default),
        _ => (Icons.Material.Filled.Remove, Color.Default),
    };

    public static string OAuthVersionText(OAuthVersion version) => version == OAuthVersion.OAuth2 ? "OAuth 2" : "OAuth 1";

    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public static string Milliseconds(int milliseconds) => milliseconds < 10_000
        ? string.Create(CultureInfo.InvariantCulture, $"{milliseconds} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000.0:0.0} s");

    /// <summary>The expiry of the certificate the integration itself trusts (its private CA).</summary>
    public static string TrustedCaExpiry(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var date = expiresAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return expiresAt < now
            ? $"expired on {date}: trust the CA's renewed certificate on the integration's Trusted certificate page"
            : $"{IntegrationStatusRules.InDays(expiresAt, now)} ({date})";
    }

    public static string CertificateExpiry(IntegrationStatusSnapshot snapshot, DateTimeOffset now)
    {
        if (snapshot.LastReport is not { } report)
        {
            return "not checked yet";
        }
        if (report.CertificateExpiresAt is { } expiresAt)
        {
            var date = expiresAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            return expiresAt < now ? $"expired on {date}" : $"{IntegrationStatusRules.InDays(expiresAt, now)} ({date})";
        }
        return snapshot.Integration.BaseUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            ? "none (plain http)"
            : "unknown (the TLS check did not finish)";
    }

    public static string SignInFailures(SignInSummary signIns) => signIns.FailuresLast24Hours switch
    {
        0 => "none",
        1 => "1",
        var count => count.ToString(CultureInfo.InvariantCulture),
    };

    public static string Availability(IntegrationStatusSnapshot snapshot)
    {
        var checks = snapshot.Last24Hours.Sum(h => h.Checks);
        return snapshot.Availability is { } share
            ? string.Create(CultureInfo.InvariantCulture, $"{share * 100:0.#}% of {checks} {(checks == 1 ? "check" : "checks")}")
            : "no checks yet";
    }

    /// <summary>The accessible text and tooltip of one hour of the strip.</summary>
    public static string HourText(AvailabilityHour hour)
    {
        var from = hour.Start.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture);
        var to = hour.Start.AddHours(1).UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture);
        if (hour.Checks == 0)
        {
            return $"{from}–{to} UTC: no checks";
        }
        var failed = hour.Checks - hour.Available;
        var checks = hour.Checks == 1 ? "1 check" : string.Create(CultureInfo.InvariantCulture, $"{hour.Checks} checks");
        var outcome = failed == 0 ? "all usable" : string.Create(CultureInfo.InvariantCulture, $"{failed} not usable");
        return $"{from}–{to} UTC: {checks}, {outcome}; worst: {IntegrationStatusText.Of(hour.Worst!.Value)}";
    }
}
