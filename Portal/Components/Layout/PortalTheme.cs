using MudBlazor;

namespace Portal.Components.Layout;

/// <summary>
/// The portal's MudBlazor theme. MudBlazor's default status colours (orange, light blue, bright green, red) fall short
/// of WCAG 2.1 AA text contrast (4.5:1) in its alerts and chips; these darker shades meet it in every variant: white
/// text on the colour (filled), the colour on white (outlined), and the darker shade on the colour's 6% tint (text).
/// </summary>
internal static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            // MudBlazor computes the Darken and Lighten shades once from its own defaults, so each is set here too.
            Secondary = "#c2185b", SecondaryDarken = "#880e4f", SecondaryLighten = "#d81b60",
            Info = "#1565c0", InfoDarken = "#0d47a1", InfoLighten = "#1976d2",
            Success = "#2e7d32", SuccessDarken = "#1b5e20", SuccessLighten = "#2e7d32",
            Warning = "#b54708", WarningDarken = "#93370d", WarningLighten = "#b95000",
            Error = "#c62828", ErrorDarken = "#b71c1c", ErrorLighten = "#d32f2f",
        },
    };
}
