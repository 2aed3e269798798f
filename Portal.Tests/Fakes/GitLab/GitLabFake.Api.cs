using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Portal.Tests.Fakes.GitLab;

/// <summary>
/// GitLab's REST API as an OAuth client meets it (docs/gitlab-protocol.md §5, §6): <c>/api/v4/user</c>,
/// <c>/api/v4/metadata</c> and the deprecated <c>/api/v4/version</c>, guarded as <c>API::APIGuard</c> guards them.
/// </summary>
public sealed partial class GitLabFake
{
    public const string UserPath = "/api/v4/user";
    public const string MetadataPath = "/api/v4/metadata";
    public const string VersionPath = "/api/v4/version";

    /// <summary>Scopes any of which lets a token read <c>/user</c> and <c>/metadata</c>.</summary>
    private static readonly string[] UserReadScopes = ["api", "read_api", "read_user"];

    private volatile bool _metadataAvailable = true;

    /// <summary>Whether <c>/api/v4/metadata</c> exists (GitLab 15.2 and later); when false it answers Grape's 404, <c>/version</c> still works.</summary>
    public bool MetadataAvailable { get => _metadataAvailable; set => _metadataAvailable = value; }

    public int UserRequests => RequestsTo(UserPath);

    private void MapApiEndpoints(WebApplication app)
    {
        app.MapGet(UserPath, (Func<HttpContext, IResult>)(context => Guarded(context, user => Results.Json(UserJson(context, user)))));
        app.MapGet(MetadataPath, (Func<HttpContext, IResult>)(context => MetadataAvailable
            ? Guarded(context, _ => MetadataJson())
            : Results.Json(new { error = "404 Not Found" }, statusCode: 404)));
        app.MapGet(VersionPath, (Func<HttpContext, IResult>)(context => Guarded(context, _ => MetadataJson())));
    }

    /// <summary>
    /// The bearer token's user, or GitLab's refusal: no or unknown token <c>{"message":"401 Unauthorized"}</c>; expired or
    /// revoked 401 <c>invalid_token</c>; too few scopes 403 <c>insufficient_scope</c>; blocked user 403.
    /// </summary>
    private IResult Guarded(HttpContext context, Func<GitLabFakeUser, IResult> answer)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : context.Request.Query["access_token"].ToString();
        GitLabFakeUser? user = null;
        string? invalidToken = null;
        string? scope = null;
        lock (_oauth)
        {
            var record = token.Length == 0 ? null : _tokens.FirstOrDefault(t => t.AccessToken == token);
            if (record is not null)
            {
                if (record.Revoked)
                {
                    invalidToken = "Token was revoked. You have to re-authorize from the user.";
                }
                else if (Clock.GetUtcNow() - record.CreatedAt >= AccessTokenLifetime)
                {
                    invalidToken = "Token is expired. You can either do re-authorization or token refresh.";
                }
                else
                {
                    // revoke_previous_refresh_token!: first use of a refreshed token ends the pair it replaced.
                    if (record.PreviousRefreshToken is { } previous)
                    {
                        foreach (var old in _tokens.Where(t => t.RefreshToken == previous))
                        {
                            old.Revoked = true;
                        }
                        record.PreviousRefreshToken = null;
                    }
                    scope = record.Scope;
                    user = _users.GetValueOrDefault(record.UserId);
                }
            }
        }
        if (invalidToken is not null)
        {
            context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"The API\", error=\"invalid_token\", error_description=\"{invalidToken}\"";
            return Results.Json(new { error = "invalid_token", error_description = invalidToken }, statusCode: 401);
        }
        if (user is null)
        {
            return Results.Json(new { message = "401 Unauthorized" }, statusCode: 401);
        }
        if (!scope!.Split(' ').Any(s => UserReadScopes.Contains(s, StringComparer.Ordinal)))
        {
            return Results.Json(new
            {
                error = "insufficient_scope",
                error_description = "The request requires higher privileges than provided by the access token.",
                scope = string.Join(' ', UserReadScopes),
            }, statusCode: 403);
        }
        if (user.State != "active")
        {
            return Results.Json(new { message = $"403 Forbidden - Your account has been {user.State}." }, statusCode: 403);
        }
        return Mode == GitLabFakeMode.GarbageJson ? Results.Text("{\"id\": ", "application/json") : answer(user);
    }

    private static Dictionary<string, object?> UserJson(HttpContext context, GitLabFakeUser user) => new()
    {
        ["id"] = user.Id,
        ["username"] = user.Username,
        ["public_email"] = null,
        ["name"] = user.Name,
        ["state"] = user.State,
        ["locked"] = false,
        ["avatar_url"] = $"https://www.gravatar.com/avatar/{user.Id:x8}?s=80&d=identicon",
        ["web_url"] = PublicUrl(context, "/" + user.Username),
        ["created_at"] = "2024-01-15T09:30:00.000Z",
        ["bio"] = "",
        ["bot"] = false,
        ["email"] = user.Email,
        ["two_factor_enabled"] = false,
        ["is_admin"] = false,
    };

    private IResult MetadataJson() => Results.Json(new Dictionary<string, object?>
    {
        ["version"] = Version,
        ["revision"] = "c401a659d0c",
        ["kas"] = new Dictionary<string, object?> { ["enabled"] = false, ["externalUrl"] = null, ["externalK8sProxyUrl"] = null, ["version"] = null },
        ["enterprise"] = Version.EndsWith("-ee", StringComparison.Ordinal),
    });
}
