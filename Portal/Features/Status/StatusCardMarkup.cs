using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Status;

namespace Portal.Features.Status;

/// <summary>
/// The parts of a status card that only show the snapshot, as markup made once per snapshot and shared by every open
/// dashboard. As elements they cost each circuit a few hundred render tree frames per card (kept twice, in the card's
/// current and previous render tree) and their strings; as markup they cost one frame pointing at a shared string.
/// </summary>
internal static class StatusCardMarkup
{
    /// <summary>
    /// A card's markup in parts, so that a new check, which changes the facts, the current hour and the steps, sends
    /// each open dashboard only those parts (Blazor sends a markup part only when its text changed).
    /// </summary>
    /// <param name="TitleId">The id of the card's heading, which the card's <c>aria-labelledby</c> names.</param>
    /// <param name="CheckNowLabel">The accessible name of the card's Check now button.</param>
    /// <param name="Header">The name, address and status chip.</param>
    /// <param name="Facts">The summary and the list of facts.</param>
    public sealed record CardMarkup(string TitleId, string CheckNowLabel, MarkupString Header, MarkupString Facts);

    /// <summary>The markup of a snapshot and the clock-dependent texts it was made with.</summary>
    private sealed record Made(string CertificateText, string? TrustedCaText, CardMarkup Markup);

    private static readonly ConditionalWeakTable<IntegrationStatusSnapshot, Made> Cards = new();
    private static readonly ConditionalWeakTable<IntegrationProbeReport, StepsMarkup> Steps = new();

    /// <summary>
    /// The card's header (name, address, status chip) and facts. The certificate expiries count days from
    /// <paramref name="now"/>, so the markup is made again when those texts change.
    /// </summary>
    public static CardMarkup Of(IntegrationStatusSnapshot snapshot, DateTimeOffset now)
    {
        var certificate = StatusFormat.CertificateExpiry(snapshot, now);
        var trustedCa = snapshot.Integration.TrustedCaExpiresAt is { } trustedCaExpiresAt ? StatusFormat.TrustedCaExpiry(trustedCaExpiresAt, now) : null;
        if (Cards.TryGetValue(snapshot, out var made) && made.CertificateText == certificate && made.TrustedCaText == trustedCa)
        {
            return made.Markup;
        }
        var titleId = $"status-card-{snapshot.Integration.Id:N}";
        made = new Made(certificate, trustedCa, new CardMarkup(titleId, $"Check now: {snapshot.Integration.Name}",
            new MarkupString(HeaderMarkup(snapshot, titleId)), new MarkupString(FactsMarkup(snapshot, certificate, trustedCa))));
        Cards.AddOrUpdate(snapshot, made);
        return made.Markup;
    }

    private static string HeaderMarkup(IntegrationStatusSnapshot snapshot, string titleId)
    {
        var integration = snapshot.Integration;
        return new StringBuilder(1024)
            .Append("<div class=\"mud-card-header mud-card-header-padding pb-0\"><div class=\"mud-card-header-content\">")
            .Append("<h2 class=\"mud-typography mud-typography-h6\" id=\"").Append(titleId).Append("\">").Append(E(integration.Name)).Append("</h2>")
            .Append("<p class=\"mud-typography mud-typography-body2 mono status-url\">").Append(E(integration.BaseUrl)).Append("</p></div>")
            .Append("<div class=\"mud-card-header-actions\"><div class=\"mud-chip-container\">")
            .Append("<div class=\"").Append(StatusFormat.ChipClass(snapshot.Status, "filled", "medium")).Append("\" tabindex=\"-1\" data-testid=\"status-badge\" data-status=\"").Append(snapshot.Status).Append("\">")
            .Append("<svg class=\"mud-icon-root mud-svg-icon mud-icon-size-small mud-chip-icon\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\">")
            .Append(StatusFormat.IconOf(snapshot.Status)).Append("</svg>")
            .Append("<span class=\"mud-chip-content\">").Append(E(IntegrationStatusText.Of(snapshot.Status))).Append("</span></div></div></div></div>")
            .ToString();
    }

    private static string FactsMarkup(IntegrationStatusSnapshot snapshot, string certificate, string? trustedCa)
    {
        var integration = snapshot.Integration;
        var report = snapshot.LastReport;
        var signIns = snapshot.SignIns;
        var html = new StringBuilder(2048)
            .Append("<p class=\"mud-typography mud-typography-body2 mb-3\" data-testid=\"status-summary\">").Append(E(snapshot.Summary)).Append("</p>")
            .Append("<dl class=\"status-facts\">");
        Fact(html, "Server version", "fact-version", report?.ServerVersion
            ?? (integration.ServerVersion is { } recorded ? $"{recorded} (as last recorded)" : "unknown"));
        Fact(html, "OAuth version", null, StatusFormat.OAuthVersionText(integration.OAuthVersion));
        Fact(html, "Latency", "fact-latency",
            report?.LatencyMilliseconds is { } latency ? StatusFormat.Milliseconds(latency) : report is null ? "not checked yet" : "no answer");
        Fact(html, "Last check", "fact-last-check", report is null ? "not yet" : StatusFormat.Time(report.CheckedAt));
        Fact(html, "Certificate expiry", "fact-certificate", certificate);
        if (trustedCa is not null)
        {
            Fact(html, "Trusted CA expiry", "fact-trusted-ca", trustedCa);
        }
        Fact(html, "Last successful sign-in", "fact-last-sign-in",
            (signIns.LastSuccessAt ?? integration.VerifiedAt) is { } success ? StatusFormat.Time(success) : "never");
        html.Append("<dt>Sign-in failures (24 h)</dt><dd data-testid=\"fact-sign-in-failures\">").Append(E(StatusFormat.SignInFailures(signIns)));
        if (signIns.FailuresLast24Hours > 0 && signIns.LastFailureReason is { } reason)
        {
            var code = signIns.LastFailureErrorCode is { } errorCode && !reason.Contains(errorCode, StringComparison.Ordinal) ? $" (OAuth error {errorCode})" : "";
            html.Append(" <span class=\"d-block status-reason\" data-testid=\"last-failure-reason\">").Append(E($"Last reason: {reason}{code}")).Append("</span>");
        }
        html.Append("</dd>");
        Fact(html, "Availability (24 h)", "fact-availability", StatusFormat.Availability(snapshot));
        return html.Append("</dl>").ToString();
    }

    /// <summary>The availability strip's cells: the hours before the current one, and the current hour.</summary>
    public sealed record StripMarkup(MarkupString Earlier, MarkupString Current);

    private static readonly ConditionalWeakTable<IReadOnlyList<AvailabilityHour>, StripMarkup> Strips = new();

    /// <summary>
    /// The strip's hourly cells, coloured by the hour's worst status; each names its hour and checks for screen readers
    /// and as a tooltip. Only the current hour changes with each check, so it is a part of its own.
    /// </summary>
    public static StripMarkup StripOf(IReadOnlyList<AvailabilityHour> hours) => Strips.GetValue(hours, static hours =>
    {
        var earlier = new StringBuilder(4096);
        for (var i = 0; i < hours.Count - 1; i++)
        {
            Cell(earlier, hours[i]);
        }
        var current = new StringBuilder(256);
        if (hours.Count > 0)
        {
            Cell(current, hours[^1]);
        }
        return new StripMarkup(new MarkupString(earlier.ToString()), new MarkupString(current.ToString()));
    });

    private static void Cell(StringBuilder html, AvailabilityHour hour)
    {
        var text = E(StatusFormat.HourText(hour));
        html.Append("<li class=\"status-cell ").Append(StatusFormat.CellClassOf(hour.Worst)).Append("\" title=\"").Append(text)
            .Append("\"><span class=\"sr-only\">").Append(text).Append("</span></li>");
    }

    private static void Fact(StringBuilder html, string term, string? testId, string value)
    {
        html.Append("<dt>").Append(term).Append("</dt><dd");
        if (testId is not null)
        {
            html.Append(" data-testid=\"").Append(testId).Append('"');
        }
        html.Append('>').Append(E(value)).Append("</dd>");
    }

    /// <summary>The disclosure's chevron, the same for every card.</summary>
    private const string Chevron =
        "<svg class=\"mud-icon-root mud-svg-icon mud-icon-size-medium mud-expand-panel-icon\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\">"
        + Icons.Material.Filled.ExpandMore + "</svg>";

    /// <summary>The heading (the disclosure's summary) and the list of a report's steps, as markup.</summary>
    public sealed record StepsMarkup(MarkupString Heading, MarkupString List);

    /// <summary>
    /// The steps of a report, the content of the card's steps disclosure. Made once per report: a new sign-in makes a new
    /// snapshot but keeps its report.
    /// </summary>
    public static StepsMarkup StepsOf(IntegrationProbeReport report) => Steps.GetValue(report, static report =>
    {
        var heading = $"<span class=\"mud-expand-panel-text\">{E($"Steps of the last check ({StatusFormat.Time(report.CheckedAt)})")}</span>{Chevron}";
        var html = new StringBuilder(4096)
            .Append("<div class=\"mud-expand-panel-content mud-expand-panel-gutters mud-expand-panel-dense\"><ol class=\"status-steps\" data-testid=\"steps\">");
        foreach (var step in report.Steps)
        {
            var (icon, color) = StatusFormat.StepIconOf(step.Outcome);
            var outcome = ProbeStepResult.TextOf(step.Outcome)
                + (step.Outcome is StepOutcome.Passed or StepOutcome.Warning or StepOutcome.Failed ? $" in {StatusFormat.Milliseconds(step.DurationMilliseconds)}" : "");
            html.Append("<li data-testid=\"step\" data-step=\"").Append(step.Step).Append("\" data-outcome=\"").Append(step.Outcome).Append("\">")
                .Append("<div class=\"d-flex align-center\"><svg class=\"").Append(StatusFormat.StepIconClass(color))
                .Append("\" focusable=\"false\" viewBox=\"0 0 24 24\" role=\"img\" aria-hidden=\"true\">").Append(icon).Append("</svg>")
                .Append("<strong>").Append(E(ProbeStepResult.NameOf(step.Step))).Append("</strong>")
                .Append("<span class=\"ml-2 status-step-outcome\">").Append(E(outcome)).Append("</span></div>")
                .Append("<div class=\"status-step-text\">").Append(E(step.Message)).Append("</div>");
            if (step.Hint is { } hint)
            {
                html.Append("<div class=\"status-step-text status-step-hint\">").Append(E($"Hint: {hint}")).Append("</div>");
            }
            html.Append("</li>");
        }
        html.Append("</ol></div>");
        return new StepsMarkup(new MarkupString(heading), new MarkupString(html.ToString()));
    });

    private static string E(string text) => HtmlEncoder.Default.Encode(text);
}
