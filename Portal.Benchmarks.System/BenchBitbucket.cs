using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Portal.Benchmarks.SystemLevel;

/// <summary>
/// A Bitbucket that answers at once on loopback (http): OAuth 2 authorize (consent already given, the user named by the
/// X-Bench-User header the load client sends in place of Bitbucket's session cookie), a token endpoint that enforces
/// single-use codes, the registered redirect URI, the client secret and PKCE S256, application-properties with
/// X-AUSERID/X-AUSERNAME for bearer tokens, the user search, and the OAuth 2 metadata the status probe reads. It counts
/// every request the servers under test make, and the connections they arrive on.
/// </summary>
public sealed class BenchBitbucket : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (string Secret, string[] RedirectUris)> clients = new();
    private readonly ConcurrentDictionary<string, (string ClientId, string RedirectUri, string Challenge, int User)> codes = new();
    private readonly ConcurrentDictionary<string, int> tokens = new();
    private readonly ConcurrentDictionary<string, byte> serverConnections = new();
    private WebApplication? app;
    private long tokenRequests, identityRequests, userSearches, probeRequests, refused;

    public string BaseUrl { get; private set; } = "";

    public long TokenRequests => Interlocked.Read(ref tokenRequests);
    public long IdentityRequests => Interlocked.Read(ref identityRequests);
    public long UserSearches => Interlocked.Read(ref userSearches);
    /// <summary>Anonymous application-properties requests: one per status probe.</summary>
    public long ProbeRequests => Interlocked.Read(ref probeRequests);
    public long Refused => Interlocked.Read(ref refused);
    /// <summary>Distinct connections the servers' own calls (token, identity, search) arrived on.</summary>
    public int ServerConnections => serverConnections.Count;

    public void RegisterClient(string clientId, string secret, string redirectUri) =>
        clients.AddOrUpdate(clientId, _ => (secret, [redirectUri]), (_, c) => (secret, [.. c.RedirectUris, redirectUri]));

    public void ResetCounters()
    {
        Interlocked.Exchange(ref tokenRequests, 0);
        Interlocked.Exchange(ref identityRequests, 0);
        Interlocked.Exchange(ref userSearches, 0);
        Interlocked.Exchange(ref probeRequests, 0);
        Interlocked.Exchange(ref refused, 0);
        serverConnections.Clear();
    }

    public static string UserName(int user) => $"user{user}";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        app = builder.Build();
        app.MapGet("/rest/oauth2/latest/authorize", Authorize);
        app.MapPost("/rest/oauth2/latest/token", (Func<HttpContext, Task<IResult>>)TokenAsync);
        app.MapGet("/rest/api/1.0/application-properties", ApplicationProperties);
        app.MapGet("/rest/api/1.0/users", Users);
        app.MapGet("/rest/oauth2/latest/.well-known/oauth-authorization-server", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = BaseUrl,
            ["authorization_endpoint"] = BaseUrl + "/rest/oauth2/latest/authorize",
            ["token_endpoint"] = BaseUrl + "/rest/oauth2/latest/token",
            ["response_types_supported"] = new[] { "code" },
            ["grant_types_supported"] = new[] { "authorization_code", "refresh_token" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    private IResult Authorize(HttpContext http)
    {
        var q = http.Request.Query;
        var redirectUri = q["redirect_uri"].ToString();
        if (!clients.TryGetValue(q["client_id"].ToString(), out var client) || !client.RedirectUris.Contains(redirectUri)
            || q["response_type"] != "code" || q["code_challenge_method"] != "S256" || string.IsNullOrEmpty(q["code_challenge"]))
        {
            Interlocked.Increment(ref refused);
            return Results.BadRequest("invalid_request");
        }
        var user = int.Parse(http.Request.Headers["X-Bench-User"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var code = RandomNumberGenerator.GetHexString(32, lowercase: true);
        codes[code] = (q["client_id"].ToString(), redirectUri, q["code_challenge"].ToString(), user);
        var separator = redirectUri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return Results.Redirect($"{redirectUri}{separator}code={code}&state={Uri.EscapeDataString(q["state"].ToString())}");
    }

    private async Task<IResult> TokenAsync(HttpContext http)
    {
        Interlocked.Increment(ref tokenRequests);
        serverConnections.TryAdd(http.Connection.Id, 0);
        var form = await http.Request.ReadFormAsync();
        (string ClientId, string RedirectUri, string Challenge, int User) issued = default;
        var ok = form["grant_type"] == "authorization_code"
            && codes.TryRemove(form["code"].ToString(), out issued)
            && issued.ClientId == form["client_id"].ToString()
            && clients.TryGetValue(issued.ClientId, out var client) && client.Secret == form["client_secret"].ToString()
            && issued.RedirectUri == form["redirect_uri"].ToString()
            && S256(form["code_verifier"].ToString()) == issued.Challenge;
        if (!ok)
        {
            Interlocked.Increment(ref refused);
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }
        var token = RandomNumberGenerator.GetHexString(40, lowercase: true);
        tokens[token] = issued.User;
        return Results.Json(new { access_token = token, refresh_token = RandomNumberGenerator.GetHexString(40, lowercase: true), token_type = "bearer", expires_in = 3600, scope = "REPO_READ" });
    }

    private IResult ApplicationProperties(HttpContext http)
    {
        if (UserOf(http) is { } user)
        {
            Interlocked.Increment(ref identityRequests);
            serverConnections.TryAdd(http.Connection.Id, 0);
            http.Response.Headers["X-AUSERID"] = user.ToString(System.Globalization.CultureInfo.InvariantCulture);
            http.Response.Headers["X-AUSERNAME"] = UserName(user);
        }
        else
        {
            Interlocked.Increment(ref probeRequests);
        }
        return Results.Json(new { version = "8.9.1", buildNumber = "8009001", buildDate = "1700000000000", displayName = "Bitbucket" });
    }

    private IResult Users(HttpContext http)
    {
        if (UserOf(http) is not { } user)
        {
            return Results.Unauthorized();
        }
        Interlocked.Increment(ref userSearches);
        serverConnections.TryAdd(http.Connection.Id, 0);
        var name = UserName(user);
        return Results.Json(new
        {
            size = 1, limit = 100, isLastPage = true, start = 0,
            values = new[] { new { name, emailAddress = $"{name}@example.com", id = user, displayName = $"User {user}", active = true, slug = name, type = "NORMAL", avatarUrl = $"/users/{name}/avatar.png?s=64" } },
        });
    }

    private int? UserOf(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && tokens.TryGetValue(header[7..], out var user) ? user : null;
    }

    private static string S256(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
