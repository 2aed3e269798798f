namespace Portal.Benchmarks.SystemLevel.Counter;

/// <summary>A blank Blazor Server app (the template's Counter page), measured beside the portal's pages.</summary>
public static class CounterServer
{
    public static async Task RunAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddHealthChecks();
        var app = builder.Build();
        app.UseAntiforgery();
        // MapStaticAssets serves blazor.web.js from the package cache with an empty body when the harness runs from its
        // build output in Production; the Counter page only needs that one script, so it is served from the package.
        var script = File.ReadAllBytes(BlazorScriptPath());
        app.MapGet("/_framework/blazor.web.js", () => Results.Bytes(script, "text/javascript"));
        app.MapHealthChecks("/healthz");
        app.MapRazorComponents<CounterApp>().AddInteractiveServerRenderMode();
        await app.RunAsync();
    }

    private static string BlazorScriptPath()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var folder = Path.Combine(packages, "microsoft.aspnetcore.app.internal.assets");
        var exact = Path.Combine(folder, Environment.Version.ToString(), "_framework", "blazor.web.js");
        return File.Exists(exact) ? exact
            : Directory.GetFiles(folder, "blazor.web.js", SearchOption.AllDirectories).OrderDescending().First();
    }
}
