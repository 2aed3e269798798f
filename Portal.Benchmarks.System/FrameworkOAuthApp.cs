using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.Options;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.Persistence;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;

namespace Portal.Benchmarks.SystemLevel;

/// <summary>
/// What a developer would otherwise pick: ASP.NET Core's own OAuth handler (AddOAuth) with PKCE, pointed at the same
/// Bitbucket, doing the same identity lookup (Portal.Core's Bitbucket platform) and account upsert (AccountService,
/// tokens encrypted) in OnCreatingTicket, on the same Portal.Core services and database settings as the portal.
/// </summary>
/// <remarks>
/// With <c>withPortalRules</c>, the same handler also keeps the rules the portal keeps and AddOAuth does not, with the
/// portal's own code and in as many commits: the state stored server-side and consumed once before the code exchange
/// (its state cookie alone can be replayed until it expires), and a server-side session, sign-in event and audit entry
/// saved with the account. It tells how much of the difference is those rules and how much the portal's own code.
/// </remarks>
public static class FrameworkOAuthApp
{
    public const string CallbackPath = "/signin-bitbucket";
    private const string PendingCookie = "Bench.Pending";

    public static async Task RunAsync(bool withPortalRules)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddPortalCore(builder.Environment.ContentRootPath);
        var baseUrl = builder.Configuration["Bench:BitbucketBaseUrl"]!;
        var integrationId = Databases.SignInIntegrationId;
        builder.Services.AddHealthChecks();
        var authentication = builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = "Bitbucket";
            })
            .AddCookie(o => o.Cookie.HttpOnly = true);
        void Configure(OAuthOptions o)
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
                var tokens = new TokenSet(context.AccessToken!, context.RefreshToken, expiresAt);
                var user = withPortalRules
                    ? await SaveWithPortalRulesAsync(context.HttpContext, lookup.User!, tokens)
                    : await services.GetRequiredService<AccountService>().RecordSignInAsync(integrationId, lookup.User!, tokens, context.HttpContext.RequestAborted);
                context.Identity!.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.UserId.ToString()));
                context.Identity.AddClaim(new Claim(ClaimTypes.Name, user.DisplayName));
                if (withPortalRules)
                {
                    context.Identity.AddClaim(new Claim(ClaimTypes.Sid, user.SessionId.ToString()));
                }
            };
            if (withPortalRules)
            {
                o.Events.OnRedirectToAuthorizationEndpoint = async context =>
                {
                    var services = context.HttpContext.RequestServices;
                    var verifier = services.GetRequiredService<SecretProtector>().Protect(SecretPurpose.PkceVerifier, context.Properties.Items[OAuthConstants.CodeVerifierKey]!);
                    var (_, correlation) = await services.GetRequiredService<PendingAuthorizationStore>().CreateAsync(
                        integrationId, StateOf(new Uri(context.RedirectUri)), AuthorizationPurpose.SignIn, "/", verifier, context.HttpContext.RequestAborted);
                    context.Response.Cookies.Append(PendingCookie, correlation, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax });
                    context.Response.Redirect(context.RedirectUri);
                };
            }
        }
        if (withPortalRules)
        {
            authentication.AddOAuth<OAuthOptions, SingleUseStateHandler>("Bitbucket", Configure);
        }
        else
        {
            authentication.AddOAuth("Bitbucket", Configure);
        }
        var app = builder.Build();
        app.UseAuthentication();
        app.MapHealthChecks("/healthz");
        app.MapGet("/login", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, ["Bitbucket"]));
        app.MapGet("/", (HttpContext http) => http.User.Identity?.IsAuthenticated == true ? "signed in" : "anonymous");
        await app.Services.PreparePortalAsync();
        await app.RunAsync();
    }

    /// <summary>The state the handler sends to Bitbucket, which Bitbucket echoes back to the callback.</summary>
    private static string StateOf(Uri authorizeUrl) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorizeUrl.Query)["state"].ToString();

    /// <summary>The portal's one save of a successful sign-in, with the integration the consume read.</summary>
    private static async Task<SignedInUser> SaveWithPortalRulesAsync(HttpContext http, ExternalUser identity, TokenSet tokens)
    {
        var integration = (Integration)http.Items[typeof(Integration)]!;
        var signedIn = await http.RequestServices.GetRequiredService<SignInService>().SignInAsync(integration,
            new SignInOutcome { IntegrationId = integration.Id, IntegrationName = integration.Name, Identity = identity, },
            tokens, new Actor((Guid?)null) { ClientAddress = http.Connection.RemoteIpAddress?.ToString() }, http.RequestAborted);
        return signedIn.User!;
    }

    /// <summary>AddOAuth's handler, whose state is consumed from the database once, before the code is exchanged.</summary>
    private sealed class SingleUseStateHandler(IOptionsMonitor<OAuthOptions> options, ILoggerFactory logger, UrlEncoder encoder,
        PendingAuthorizationStore pendings, SecretProtector protector)
        : OAuthHandler<OAuthOptions>(options, logger, encoder)
    {
        protected override async Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context)
        {
            var correlations = Request.Cookies.TryGetValue(PendingCookie, out var correlation) ? [correlation] : Array.Empty<string>();
            var check = await pendings.ConsumeAsync(Databases.SignInIntegrationId, Request.Query["state"].ToString(), correlations, Context.RequestAborted);
            if (check.Failure is { } refused)
            {
                return OAuthTokenResponse.Failed(new InvalidOperationException(refused.PublicMessage));
            }
            Context.Items[typeof(Integration)] = check.Integration;
            // As in the portal, the verifier the server kept is the one sent.
            context.Properties.Items[OAuthConstants.CodeVerifierKey] = protector.TryUnprotect(SecretPurpose.PkceVerifier, check.Pending!.ProtectedSecret);
            Response.Cookies.Delete(PendingCookie);
            return await base.ExchangeCodeAsync(context);
        }
    }
}
