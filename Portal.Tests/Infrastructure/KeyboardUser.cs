using Microsoft.Playwright;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// Someone who uses the keyboard only: moves with Tab, Shift+Tab and arrow keys, acts with Enter and Space, types text.
/// Wherever the focus lands on the way, it must be on a visible element with a visible focus ring.
/// </summary>
public sealed class KeyboardUser(IPage page)
{
    // "" when the focused element shows its focus; otherwise what is wrong. The ring is an outline at least 2px wide,
    // except where a MudBlazor control draws it on something else: radios, checkboxes and switches are transparent inputs
    // over an icon, whose round button carries the ring; an outlined text field widens its own border from 1px to 2px.
    private const string FocusProblemScript = """
        () => {
          const e = document.activeElement;
          if (!e || e === document.body || e === document.documentElement) return 'nothing on the page has the focus';
          const what = `${e.tagName.toLowerCase()} "${e.getAttribute('aria-label') ?? e.id ?? e.innerText?.trim().slice(0, 40) ?? ''}"`;
          const fieldBorder = e.matches('.mud-input-outlined > .mud-input-root') ? e.parentElement.querySelector(':scope > .mud-input-outlined-border') : null;
          const shown = fieldBorder ?? (getComputedStyle(e).opacity === '0' ? e.closest('.mud-button-root') : e);
          if (!shown) return `${what} is transparent and nothing around it shows the focus`;
          const style = getComputedStyle(shown);
          const box = shown.getBoundingClientRect();
          if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') return `${what} has the focus but cannot be seen`;
          const ring = fieldBorder
            ? parseFloat(style.borderTopWidth) >= 2
            : style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 && style.outlineColor !== 'rgba(0, 0, 0, 0)';
          return ring ? '' : `${what} has the focus but no visible focus ring (outline: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; border: ${style.borderTopWidth} ${style.borderTopColor})`;
        }
        """;

    /// <summary>Presses Tab until <paramref name="target"/> has the focus, checking the focus ring at every stop.</summary>
    public async Task TabToAsync(ILocator target, int maxPresses = 30)
    {
        await target.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        for (var presses = 1; presses <= maxPresses; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            await AssertFocusVisibleAsync();
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }
        }
        Assert.Fail($"{maxPresses} presses of Tab did not reach {target}.");
    }

    public Task PressAsync(string key) => page.Keyboard.PressAsync(key);

    public Task TypeAsync(string text) => page.Keyboard.TypeAsync(text);

    /// <summary><paramref name="element"/> has the focus (waiting for the page to settle) and shows it.</summary>
    public async Task AssertFocusedAsync(ILocator element)
    {
        await Assertions.Expect(element).ToBeFocusedAsync();
        await AssertFocusVisibleAsync();
    }

    private async Task AssertFocusVisibleAsync()
    {
        var problem = await page.EvaluateAsync<string>(FocusProblemScript);
        Assert.True(problem.Length == 0, $"Focus not visible on {page.Url}: {problem}");
    }
}
