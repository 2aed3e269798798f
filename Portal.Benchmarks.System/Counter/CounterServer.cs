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
        app.MapStaticAssets();
        app.MapHealthChecks("/healthz");
        app.MapRazorComponents<CounterApp>().AddInteractiveServerRenderMode();
        await app.RunAsync();
    }
}
