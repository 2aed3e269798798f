using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// The WCAG 2.0, 2.1 and 2.2 A and AA checks of axe-core (bundled in the Deque.AxeCore.Commons package, nothing is
/// downloaded), run on a page in the state a browser test reached.
/// </summary>
public static class AccessibilityScan
{
    /// <summary>The axe-core tags of the standard the portal meets: WCAG 2.0, 2.1 and 2.2, levels A and AA (2.2 adds target size).</summary>
    public static readonly IReadOnlyList<string> WcagAaTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    private static readonly AxeRunOptions WcagAa = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. WcagAaTags] },
        ResultTypes = [ResultType.Violations],
    };

    /// <summary>Scans the page as it is now and fails, naming each rule and element, on any violation.</summary>
    /// <param name="state">What the page shows, for the failure message: "wizard, version found".</param>
    public static async Task AssertNoAccessibilityViolationsAsync(this IPage page, string state)
    {
        var violations = await page.AccessibilityViolationsAsync();
        Assert.True(violations.Count == 0, Describe(state, page.Url, violations));
    }

    /// <summary>The WCAG A/AA violations on the page once it is still.</summary>
    public static async Task<IReadOnlyList<AxeResultItem>> AccessibilityViolationsAsync(this IPage page)
    {
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        var violations = await ScanWhenStillAsync(page);
        // A snackbar that starts to fade out during the scan is caught between two opacities, with too little contrast
        // for that moment. Such a violation is gone a moment later; one that stays is real.
        return violations.Count == 0 ? violations : await ScanWhenStillAsync(page);
    }

    private static async Task<IReadOnlyList<AxeResultItem>> ScanWhenStillAsync(IPage page)
    {
        // Snackbars fade in with a CSS animation and out with a transition; a colour caught halfway has too little contrast
        // for that moment. Endless animations (progress spinners) never finish, so they are not waited for.
        await page.EvaluateAsync("() => Promise.all(document.getAnimations().filter(a => a instanceof CSSTransition || (a instanceof CSSAnimation && a.effect?.getComputedTiming().iterations !== Infinity)).map(a => a.finished.catch(() => null)))");
        // RunAxe finishes every scan in a fresh browser page, which makes a scan about five times slower here (6 s
        // against 1.2 s on a busy machine). That isolation guards against pages that tamper with JavaScript built-ins
        // or hold cross-origin frames; the portal's pages do neither, so the single-page run gives the same result.
#pragma warning disable CS0618 // "Legacy Mode is being removed in the future": switching back is this one call.
        var result = await page.RunAxeLegacy(options: WcagAa);
#pragma warning restore CS0618
        return result.Violations;
    }

    private static string Describe(string state, string url, IReadOnlyList<AxeResultItem> violations)
    {
        var text = new StringBuilder($"{violations.Sum(v => v.Nodes.Length)} WCAG 2.1 AA violation(s) on {url} ({state}):");
        foreach (var violation in violations)
        {
            text.Append($"\n- {violation.Id} ({violation.Impact}): {violation.Help} {violation.HelpUrl}");
            foreach (var node in violation.Nodes)
            {
                var checks = (node.Any ?? []).Concat(node.All ?? []).Concat(node.None ?? []).Select(c => c.Message);
                text.Append($"\n    {node.Target}: {node.Html}\n      {string.Join(" / ", checks)}");
            }
        }
        return text.ToString();
    }
}
