using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Tests.Fakes;

public sealed partial class BitbucketFake
{
    private const string LoginPageHtml = """
        <!DOCTYPE html>
        <html><head><title>Log in - Company SSO</title></head>
        <body><form action="/sso/login" method="post">
        <input type="text" name="username"><input type="password" name="password"><button>Log in</button>
        </form></body></html>
        """;

    private const string OtherPageHtml = """
        <!DOCTYPE html>
        <html><head><title>Welcome to nginx!</title></head>
        <body><h1>Welcome to nginx!</h1></body></html>
        """;

    private static readonly string[] ApplicationPropertiesPaths =
        ["/rest/api/1.0/application-properties", "/rest/api/latest/application-properties"];

    private void MapApplicationEndpoints(WebApplication app)
    {
        foreach (var path in ApplicationPropertiesPaths)
        {
            app.MapGet(path, ApplicationProperties);
        }
        // Anonymous callers get 401 where the OAuth 2 provider plugin exists (7.20 and later), 404 before.
        app.MapGet("/rest/oauth2/1.0/client", () =>
            (OAuth2ProviderInstalled ?? ParsedVersion() >= new BitbucketVersion(7, 20, 0, null)) ? Results.Unauthorized() : Results.NotFound());
        app.MapGet("/status", () => Results.Content("""{"state":"RUNNING"}""", "application/json"));
    }

    /// <summary>Whether /rest/oauth2/1.0/client answers 401 (installed) or 404; <c>null</c> decides by <see cref="Version"/> (7.20 and later).</summary>
    public bool? OAuth2ProviderInstalled { get; set; }

    private IResult ApplicationProperties()
    {
        switch (Mode)
        {
            case FakeMode.GarbageJson:
                return Results.Content("""{"version":"8.9.1","displayName":""", "application/json");
            case FakeMode.NonBitbucketJson:
                return Results.Content("""{"version":"9.12.2","buildNumber":"9120002","displayName":"Jira"}""", "application/json");
            default:
                var version = ParsedVersion();
                var buildNumber = version.Major * 1_000_000L + version.Minor * 1_000L + version.Patch;
                return Results.Content(JsonSerializer.Serialize(new
                {
                    version = Version,
                    buildNumber = buildNumber.ToString(CultureInfo.InvariantCulture),
                    buildDate = "1672975062662",
                    displayName = "Bitbucket",
                }), "application/json");
        }
    }

    private BitbucketVersion ParsedVersion() => BitbucketVersion.TryParse(Version, out var version) ? version : default;

    /// <summary>Counts application-properties requests and applies the modes that affect every request.</summary>
    private async Task ApplyModeAsync(HttpContext context, RequestDelegate next)
    {
        if (ApplicationPropertiesPaths.Contains(context.Request.Path.Value, StringComparer.Ordinal))
        {
            Interlocked.Increment(ref _applicationPropertiesRequests);
        }

        var response = context.Response;
        switch (Mode)
        {
            case FakeMode.NotFound:
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
            case FakeMode.ServerError:
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await response.WriteAsync("Bitbucket is unavailable.");
                return;
            case FakeMode.HtmlLoginPage:
                response.ContentType = "text/html; charset=utf-8";
                await response.WriteAsync(LoginPageHtml);
                return;
            case FakeMode.HtmlOther:
                response.ContentType = "text/html; charset=utf-8";
                await response.WriteAsync(OtherPageHtml);
                return;
            case FakeMode.Redirect:
                var request = context.Request;
                response.Redirect(RedirectLocation ?? $"https://{request.Host}{request.PathBase}{request.Path}{request.QueryString}");
                return;
            case FakeMode.Slow:
                var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping))
                {
                    try
                    {
                        await Task.Delay(SlowDelay, wait.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
                break;
        }
        await next(context);
    }
}
