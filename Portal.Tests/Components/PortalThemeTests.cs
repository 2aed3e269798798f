using MudBlazor;
using MudBlazor.Utilities;
using Portal.Components.Layout;

namespace Portal.Tests.Components;

/// <summary>
/// Every variant of MudBlazor's alerts, chips and snackbars in every status colour meets WCAG 2.1 AA text contrast
/// (4.5:1), including variants no page uses yet: the browser scans only see what pages show.
/// </summary>
public sealed class PortalThemeTests
{
    private static readonly Palette Palette = PortalTheme.Theme.PaletteLight;

    public static TheoryData<string> StatusColours => ["Secondary", "Info", "Success", "Warning", "Error"];

    [Theory]
    [MemberData(nameof(StatusColours))]
    public void Every_variant_in_the_colour_meets_4_5_to_1(string colour)
    {
        var main = Colour(colour);
        var darken = Colour($"{colour}Darken");
        var lighten = Colour($"{colour}Lighten");
        var text = Colour($"{colour}ContrastText");
        var page = new MudColor(Palette.Background.ToString());
        // MudBlazor's text variants sit on the colour at HoverOpacity over the page.
        var tint = Blend(main, page, Palette.HoverOpacity);

        AssertContrast(text, main, $"filled: {colour}ContrastText on {colour}");
        AssertContrast(text, darken, $"filled, hovered or focused: {colour}ContrastText on {colour}Darken");
        AssertContrast(text, lighten, $"filled, lighter: {colour}ContrastText on {colour}Lighten");
        AssertContrast(main, page, $"outlined chip, coloured text: {colour} on the page");
        AssertContrast(main, tint, $"text chip: {colour} on its tint");
        AssertContrast(darken, page, $"outlined alert: {colour}Darken on the page");
        AssertContrast(darken, tint, $"text alert: {colour}Darken on its tint");
    }

    private static MudColor Colour(string property) =>
        new(typeof(Palette).GetProperty(property)!.GetValue(Palette)!.ToString()!);

    private static MudColor Blend(MudColor colour, MudColor background, double opacity) => new(
        (byte)Math.Round(colour.R * opacity + background.R * (1 - opacity)),
        (byte)Math.Round(colour.G * opacity + background.G * (1 - opacity)),
        (byte)Math.Round(colour.B * opacity + background.B * (1 - opacity)),
        (byte)255);

    private static void AssertContrast(MudColor foreground, MudColor background, string where)
    {
        var ratio = (Math.Max(Luminance(foreground), Luminance(background)) + 0.05) / (Math.Min(Luminance(foreground), Luminance(background)) + 0.05);
        Assert.True(ratio >= 4.5, $"{where}: {foreground.Value} on {background.Value} has contrast {ratio:F2}:1, below 4.5:1.");
    }

    // WCAG 2.1 relative luminance.
    private static double Luminance(MudColor colour)
    {
        static double Channel(byte value)
        {
            var c = value / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * Channel(colour.R) + 0.7152 * Channel(colour.G) + 0.0722 * Channel(colour.B);
    }
}
