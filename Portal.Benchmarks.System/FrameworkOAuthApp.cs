using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OAuth;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.OAuth;
using Portal.Core.Persistence;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Benchmarks.SystemLevel;

/// <summary>
/// What a developer would otherwise pick: ASP.NET Core's own OAuth handler (AddOAuth) with PKCE, pointed at the same
/// Bitbucket, doing the same identity lookup (Portal.Core's Bitbucket platform) and account upsert (AccountService,
/// tokens encrypted) in OnCreatingTicket, on the same Portal.Core services and database settings as the portal.
/// </summary>
public static class FrameworkOAuthApp
{
    public const string CallbackPath = "/signin-bitbucket";

    public static async Task RunAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddPortalCore(builder.Environment.ContentRootPath);
        var baseUrl = builder.Configuration["Bench:BitbucketBaseUrl"]!;
        var integrationId = Databases.SignInIntegrationId;
        builder.Services.AddHealthChecks();
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = "Bitbucket";
            })
            .AddCookie(o => o.Cookie.HttpOnly = true)
            .AddOAuth("Bitbucket", o =>
            {
                o.ClientId = Databases.ClientId;
                o.ClientSecret = Databases.ClientSecret;
                o.AuthorizationEndpoint = BitbucketEndpoints.Authorize(baseUrl);
                o.TokenEndpoint = BitbucketEndpoints.Token(baseUrl);
                o.CallbackPath = CallbackPath;
                o.UsePkce = true;
                o.Scope.Add(BitbucketEndpoints.OAuth2Scope);
                o.Events.OnCreatingTicket = async context =>
                {
                    var services = context.HttpContext.RequestServices;
                    var platform = services.GetRequiredService<PlatformCatalog>().Find(BitbucketServerPlatform.KindOf.Key)!;
                    var lookup = await platform.IdentifyAsync(baseUrl, BearerToken.Authorize(context.AccessToken!), context.HttpContext.RequestAborted);
                    if (!lookup.Succeeded)
                    {
                        context.Fail(lookup.Failure!);
                        return;
                    }
                    var expiresAt = DateTimeOffset.UtcNow + (context.ExpiresIn ?? TimeSpan.FromHours(1));
                    var user = await services.GetRequiredService<AccountService>().RecordSignInAsync(integrationId, lookup.User!,
                        new TokenSet(context.AccessToken!, context.RefreshToken, expiresAt), context.HttpContext.RequestAborted);
                    context.Identity!.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()));
                    context.Identity.AddClaim(new Claim(ClaimTypes.Name, user.DisplayName));
                };
            });
        var app = builder.Build();
        app.UseAuthentication();
        app.MapHealthChecks("/healthz");
        app.MapGet("/login", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, ["Bitbucket"]));
        app.MapGet("/", (HttpContext http) => http.User.Identity?.IsAuthenticated == true ? "signed in" : "anonymous");
        await app.Services.PreparePortalAsync();
        await app.RunAsync();
    }
}
