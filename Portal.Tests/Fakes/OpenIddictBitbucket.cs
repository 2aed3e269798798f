using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation.AspNetCore;
using Portal.Tests.Infrastructure;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Portal.Tests.Fakes;

/// <summary>
/// A standards-strict OAuth 2 authorization server (OpenIddict, with its Entity Framework Core stores on a throwaway
/// SQLite file) at Bitbucket's paths, so the portal's flow is proven against more than our own fake: confidential
/// client with client_secret_post only, PKCE required, authorization code and refresh token grants, rolling refresh
/// tokens without reuse leeway. Its authorization endpoint approves <see cref="ConsentingUser"/> at once; its
/// application-properties and user search validate the bearer token locally and answer like Bitbucket
/// (<c>X-AUSERNAME</c>/<c>X-AUSERID</c> when valid, anonymous otherwise).
/// </summary>
public sealed class OpenIddictBitbucket : IAsyncDisposable
{
    public const string Scope = "REPO_READ";

    // Generating an RSA key takes up to a second or more on a small machine, so all servers of a test run share two.
    private static readonly Lazy<RsaSecurityKey> SigningKey = new(() => new RsaSecurityKey(RSA.Create(2048)));
    private static readonly Lazy<RsaSecurityKey> EncryptionKey = new(() => new RsaSecurityKey(RSA.Create(2048)));
    private readonly WebApplication app;
    private readonly string databasePath;
    private readonly List<BitbucketFakeUser> users;

    private OpenIddictBitbucket(WebApplication app, string databasePath, string baseUrl, string clientId, string clientSecret, List<BitbucketFakeUser> users)
    {
        this.app = app;
        this.databasePath = databasePath;
        this.users = users;
        BaseUrl = baseUrl;
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    public string BaseUrl { get; }

    public string ClientId { get; }

    public string ClientSecret { get; }

    public BitbucketFakeUser ConsentingUser => users[0];

    /// <summary>Starts the server with one confidential client allowed to redirect to <paramref name="redirectUri"/>; the first user approves.</summary>
    public static async Task<OpenIddictBitbucket> StartAsync(string redirectUri, params BitbucketFakeUser[] users)
    {
        if (users.Length == 0)
        {
            throw new ArgumentException("At least the consenting user is needed.", nameof(users));
        }
        var databasePath = TestPaths.NewDatabasePath();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddDbContext<StoreContext>(o => o.UseSqlite($"Data Source={databasePath}").UseOpenIddict());
        builder.Services.AddAuthentication();
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<StoreContext>())
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("rest/oauth2/latest/authorize")
                    .SetTokenEndpointUris("rest/oauth2/latest/token");
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().RequireProofKeyForCodeExchange();
                server.SetAccessTokenLifetime(TimeSpan.FromHours(1)).SetAuthorizationCodeLifetime(TimeSpan.FromSeconds(60));
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);
                server.RegisterScopes(Scope, Scopes.OfflineAccess);
                server.AddSigningKey(SigningKey.Value).AddEncryptionKey(EncryptionKey.Value);
                // Bitbucket advertises client_secret_post only; a Basic header would be refused here.
                server.Configure(options =>
                {
                    options.ClientAuthenticationMethods.Clear();
                    options.ClientAuthenticationMethods.Add(ClientAuthenticationMethods.ClientSecretPost);
                });
                server.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseAspNetCore();
            });

        var app = builder.Build();
        app.UseAuthentication();
        var userList = users.ToList();
        app.Use(async (context, next) =>
        {
            // Bitbucket's bearer filter: a valid token authenticates, anything else is served as anonymous.
            var result = await context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
            if (result.Succeeded && long.TryParse(result.Principal.GetClaim(Claims.Subject), CultureInfo.InvariantCulture, out var id)
                && userList.FirstOrDefault(u => u.Id == id) is { } user)
            {
                context.Items[typeof(BitbucketFakeUser)] = user;
                context.Response.Headers["X-AUSERNAME"] = Uri.EscapeDataString(user.Name);
                context.Response.Headers["X-AUSERID"] = user.Id.ToString(CultureInfo.InvariantCulture);
            }
            await next(context);
        });
        app.MapMethods("/rest/oauth2/latest/authorize", [HttpMethods.Get, HttpMethods.Post], (HttpContext context) =>
        {
            var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenIddict request.");
            var user = userList[0];
            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, user.Id.ToString(CultureInfo.InvariantCulture)).SetClaim(Claims.Name, user.Name);
            // Like Bitbucket, always hand out a refresh token, whether or not offline_access was asked for.
            identity.SetScopes(request.GetScopes().Add(Scopes.OfflineAccess));
            identity.SetDestinations(_ => [Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        app.MapGet("/rest/api/1.0/application-properties", () => Results.Json(new
        {
            version = "8.9.1",
            buildNumber = "8009001",
            buildDate = "1672975062662",
            displayName = "Bitbucket",
        }));
        app.MapGet("/rest/api/1.0/users", (HttpContext context, string? filter, int? avatarSize) =>
        {
            if (context.Items[typeof(BitbucketFakeUser)] is null)
            {
                return Results.Json(new { errors = new[] { new { message = "You are not permitted to access this resource" } } }, statusCode: 401);
            }
            var matches = userList.Where(u => string.IsNullOrEmpty(filter)
                || u.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)
                || u.DisplayName.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
            return Results.Json(new
            {
                size = matches.Count,
                limit = 25,
                isLastPage = true,
                start = 0,
                values = matches.Select(u => new
                {
                    name = u.Name,
                    emailAddress = u.EmailAddress,
                    active = true,
                    displayName = u.DisplayName,
                    id = u.Id,
                    slug = u.Slug,
                    type = "NORMAL",
                    avatarUrl = avatarSize is null ? null : $"/users/{u.Slug}/avatar.png?s={avatarSize}",
                }),
            });
        });

        var clientId = BitbucketOAuthClient.RandomHex(16);
        var clientSecret = BitbucketOAuthClient.RandomHex(32);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StoreContext>().Database.EnsureCreatedAsync();
            await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = clientId,
                ClientSecret = clientSecret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "Portal",
                RedirectUris = { new Uri(redirectUri) },
                Permissions =
                {
                    Permissions.Endpoints.Authorization,
                    Permissions.Endpoints.Token,
                    Permissions.GrantTypes.AuthorizationCode,
                    Permissions.GrantTypes.RefreshToken,
                    Permissions.ResponseTypes.Code,
                    Permissions.Prefixes.Scope + Scope,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            });
        }
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new OpenIddictBitbucket(app, databasePath, $"http://127.0.0.1:{address.Port}", clientId, clientSecret, userList);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        TestPaths.DeleteDatabase(databasePath);
    }

    /// <summary>OpenIddict's applications, authorizations, scopes and tokens.</summary>
    private sealed class StoreContext(DbContextOptions<StoreContext> options) : DbContext(options);
}
