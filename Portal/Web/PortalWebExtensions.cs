using Portal.Core.Configuration;
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
            if (SetupModeCommand.UnknownCommand(args) is { } unknown)
            {
                // Settings on the command line are --key value or key=value; a bare word is a command, and a mistyped one
                // must not start a second portal instead.
                throw new PortalStartRefusedException($"'{unknown}' is not a command. The only command is {SetupModeCommand.Name} (dotnet run --project Portal -- {SetupModeCommand.Name}); without one, the portal starts.");
            }
            // Before the validation: a misspelt key is often why a setting is invalid (its default applies instead).
            foreach (var unread in SettingsSections.Unread(app.Configuration, app.Services.GetServices<SettingsSection>()))
            {
                app.Logger.LogWarning("{UnreadSetting}", unread);
            }
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            if (SetupModeCommand.IsRequested(args))
            {
                Environment.ExitCode = await SetupModeCommand.RunAsync(app.Services);
                await app.DisposeAsync();
                return;
            }
            app.Logger.LogInformation("Database: {Database}.",
                app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Describe(app.Environment.ContentRootPath));
            await app.Services.PreparePortalAsync();
        }
        catch (Exception e) when (InvalidSettings(e) is { } failures)
        {
            app.Logger.LogCritical("The portal cannot start because of invalid settings (appsettings.json or environment variables): {Failures}", failures);
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
        try
        {
            await app.RunAsync();
        }
        catch (IOException e) when (e.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
        {
            // The host has stopped and disposed its loggers by now: the console is what is left.
            await Console.Error.WriteLineAsync(
                $"The portal cannot start: {e.Message} Another program (perhaps another portal) uses that port, or the port needs more rights: " +
                "stop the other program, or set Urls in appsettings.json (or the Urls environment variable) to a free port, e.g. http://0.0.0.0:5080.");
            Environment.ExitCode = 1;
        }
    }

    /// <summary>
    /// What is wrong with the settings, when <paramref name="e"/> says so: one section's rules, several sections' at once,
    /// or a value the configuration could not even convert (such as "8h" for a duration).
    /// </summary>
    private static string? InvalidSettings(Exception e) => e switch
    {
        OptionsValidationException single => string.Join(" ", single.Failures),
        AggregateException many when many.InnerExceptions.All(i => i is OptionsValidationException) =>
            string.Join(" ", many.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures)),
        InvalidOperationException { Message: var message } when message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            $"{message} Durations are written as [d.]hh:mm:ss (for example 00:30:00 for 30 minutes, 1.00:00:00 for a day), numbers as digits, switches as true or false.",
        _ => null,
    };
}
