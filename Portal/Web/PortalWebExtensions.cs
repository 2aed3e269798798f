using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.Components;
using Portal.Core.Persistence;
using Portal.Features.Setup;

namespace Portal.Web;

internal static class PortalWebExtensions
{
    public const string AccessPath = "/access";
    public const string HealthPath = "/healthz";
    internal const int MaximumCircuitMessageBytes = 256 * 1024;
    internal const int MaximumRequestBodyBytes = 2 * MaximumCircuitMessageBytes;
    internal const int MaximumFormValueBytes = 16 * 1024;

    /// <summary>Blazor with MudBlazor, authentication, cookies, trusted proxies and rate limits.</summary>
    public static void AddPortalWeb(this WebApplicationBuilder builder)
    {
        // Static web assets (blazor.web.js, MudBlazor's files) are served from the build output in every environment.
        builder.WebHost.UseStaticWebAssets();
        // Request lines carry the full URL, and OAuth callbacks carry one-time codes and states in it: kept out of the
        // log even when an operator turns ASP.NET Core's logging up to Information.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        // The same for redirects to the server's authorize page, whose URL carries the state.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Http.Result.RedirectResult", LogLevel.Warning);
        var services = builder.Services;
        // Every keystroke sends a field's whole text: a pasted CA certificate may be as long as the portal reads one
        // (TrustedCertificatePem.MaxLength, 64 KB), past SignalR's 32 KB default, which would end the page's connection.
        services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(hub => hub.MaximumReceiveMessageSize = MaximumCircuitMessageBytes);
        // The portal's HTTP forms (sign-out, Verify) are a few hundred bytes; everything else goes over the circuit, whose
        // long-polling fallback posts messages of up to the size above. A limit just past that keeps an anonymous caller
        // from making the server read ASP.NET Core's default 30 MB before antiforgery refuses the request.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaximumRequestBodyBytes);
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(form =>
        {
            form.MultipartBodyLengthLimit = MaximumRequestBodyBytes;
            form.ValueLengthLimit = MaximumFormValueBytes;
        });
        // Snackbars at MudBlazor's default 95% opacity blend into the page and fall below 4.5:1 text contrast (WCAG 2.1 AA).
        services.AddMudServices(mud => mud.SnackbarConfiguration.MaximumOpacity = 100);
        services.AddPortalAuthentication();
        services.AddPortalCookies();
        services.AddTrustedProxies();
        services.AddRateLimits();
    }

    public static void UsePortalWeb(this WebApplication app)
    {
        // First, so everything after sees the client's address and scheme as the trusted proxy reported them.
        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        app.UseHttpsRedirectToPublicUrl();
        app.UseErrorPages();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseClientAddressClaim();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseAntiforgeryFailurePage();
    }

    public static void MapPortalPages(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapHealthChecks(HealthPath);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }

    /// <summary>
    /// Prepares the database and runs, or runs the command named in <paramref name="args"/> (<c>setup-mode</c>);
    /// a configuration error stops the portal with the message naming the key.
    /// </summary>
    public static async Task RunPortalAsync(this WebApplication app, string[] args)
    {
        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            if (SetupModeCommand.IsRequested(args))
            {
                Environment.ExitCode = await SetupModeCommand.RunAsync(app.Services);
                await app.DisposeAsync();
                return;
            }
            await app.Services.PreparePortalAsync();
        }
        catch (OptionsValidationException e)
        {
            app.Logger.LogCritical("The portal cannot start because of invalid settings (appsettings.json or environment variables): {Failures}", string.Join(" ", e.Failures));
            Environment.ExitCode = 1;
            await app.DisposeAsync(); // flushes the console logger, so the message is not lost on exit
            return;
        }
        catch (PortalStartRefusedException e)
        {
            app.Logger.LogCritical("The portal cannot start: {Reason}", e.Message);
            Environment.ExitCode = 1;
            await app.DisposeAsync();
            return;
        }
        catch (Exception e) when (DatabaseFailure.DescribeAtStart(e) is { } reason)
        {
            app.Logger.LogCritical(e, "The portal cannot start: {Reason}", reason);
            Environment.ExitCode = 1;
            await app.DisposeAsync();
            return;
        }
        await app.RunAsync();
    }
}
