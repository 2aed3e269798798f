using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Core.Platforms.GitLabSelfManaged;
using Portal.Tests.Fakes.GitLab;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary><see cref="GitLabApiReader"/> against the GitLab fake, with tokens from a real code flow.</summary>
public sealed class GitLabApiReaderTests : IAsyncLifetime
{
    private const string Redirect = "https://portal.example.com/signin/callback/gl";
    private readonly HttpClient http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
    private GitLabFake fake = null!;
    private GitLabFakeApplication application = null!;
    private GitLabApiReader reader = null!;

    public async Task InitializeAsync()
    {
        fake = await GitLabFake.StartAsync(new GitLabFakeOptions { RelativeUrlRoot = "/gitlab" });
        application = fake.RegisterApplication(GitLabFakeApplication.Create("Portal", Redirect) with { Trusted = true, Scopes = ["read_user", "openid"] });
        fake.SignedInUser = GitLabFakeUser.Ada;
        reader = new GitLabApiReader(http);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await fake.DisposeAsync();
    }

    [Fact]
    public async Task The_user_is_read_with_numeric_id_username_name_email_and_avatar()
    {
        var result = await reader.ReadUserAsync(fake.BaseUrl, await AccessTokenAsync(), CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(42, result.Value!.Id);
        Assert.Equal("ada", result.Value.Username);
        Assert.Equal("Ada Lovelace", result.Value.Name);
        Assert.Equal("ada@example.com", result.Value.Email);
        Assert.Equal("active", result.Value.State);
        Assert.StartsWith("https://", result.Value.AvatarUrl, StringComparison.Ordinal);
        Assert.Equal(fake.BaseUrl + "/ada", result.Value.WebUrl);
    }

    [Fact]
    public async Task The_version_comes_from_metadata()
    {
        var result = await reader.ReadVersionAsync(fake.BaseUrl, await AccessTokenAsync(), CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("GitLab 17.5.1-ee", result.Value!.ToString());
        Assert.Equal(true, result.Value.Enterprise);
        Assert.Equal(1, fake.RequestsTo("/api/v4/metadata"));
        Assert.Equal(0, fake.RequestsTo("/api/v4/version"));
    }

    [Fact]
    public async Task Before_15_2_the_version_comes_from_the_version_endpoint()
    {
        fake.MetadataAvailable = false;
        fake.Version = "15.1.6";

        var result = await reader.ReadVersionAsync(fake.BaseUrl, await AccessTokenAsync(), CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal((15, 1, 6), (result.Value!.Major, result.Value.Minor, result.Value.Patch));
        Assert.Equal(false, result.Value.Enterprise);
        Assert.Equal(1, fake.RequestsTo("/api/v4/version"));
    }

    [Fact]
    public async Task An_unknown_token_asks_to_sign_in_again()
    {
        var result = await reader.ReadUserAsync(fake.BaseUrl, "0123456789abcdef", CancellationToken.None);

        Assert.Equal(GitLabFailureKind.Unauthorized, result.Failure?.Kind);
        Assert.StartsWith("GitLab did not accept the access token at /gitlab/api/v4/user (401 Unauthorized), although GitLab had just issued it: a proxy in front of GitLab that drops the Authorization header", result.Failure!.Message, StringComparison.Ordinal);
        Assert.EndsWith("let the proxy pass the Authorization header, and check that the Application ID and Secret belong to this GitLab.", result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_says_it_expired()
    {
        var clock = new ShiftableTimeProvider();
        fake.Clock = clock;
        var token = await AccessTokenAsync();
        clock.Advance(TimeSpan.FromHours(2));

        var result = await reader.ReadUserAsync(fake.BaseUrl, token, CancellationToken.None);

        Assert.Equal(GitLabFailureKind.Unauthorized, result.Failure?.Kind);
        Assert.Equal("GitLab says the access token has expired: sign in again.", result.Failure!.Message);
    }

    [Fact]
    public async Task A_revoked_token_says_access_was_withdrawn()
    {
        var token = await AccessTokenAsync();
        fake.RevokeToken(token);

        var result = await reader.ReadVersionAsync(fake.BaseUrl, token, CancellationToken.None);

        Assert.Equal(GitLabFailureKind.Unauthorized, result.Failure?.Kind);
        Assert.StartsWith("GitLab says the access token was revoked", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_read_user_says_which_scope_to_tick()
    {
        var result = await reader.ReadUserAsync(fake.BaseUrl, await AccessTokenAsync(scope: "openid"), CancellationToken.None);

        Assert.Equal(GitLabFailureKind.InsufficientScope, result.Failure?.Kind);
        Assert.Equal("GitLab refused /gitlab/api/v4/user because the access token lacks the read_user scope: tick read_user on the portal's application in GitLab (Admin area → Applications → Edit, or the group's or user's Settings → Applications where it was created), save, and sign in again.", result.Failure!.Message);
    }

    [Fact]
    public async Task A_blocked_user_is_forbidden_with_gitlab_s_reason()
    {
        var token = await AccessTokenAsync();
        fake.UpdateUser(GitLabFakeUser.Ada with { State = "blocked" });

        var result = await reader.ReadUserAsync(fake.BaseUrl, token, CancellationToken.None);

        Assert.Equal(GitLabFailureKind.Forbidden, result.Failure?.Kind);
        Assert.Contains("403 Forbidden - Your account has been blocked.", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broken_json_is_not_a_user()
    {
        var token = await AccessTokenAsync();
        fake.Mode = GitLabFakeMode.GarbageJson;

        var result = await reader.ReadUserAsync(fake.BaseUrl, token, CancellationToken.None);

        Assert.Equal(GitLabFailureKind.NotGitLab, result.Failure?.Kind);
        Assert.Contains("not with a user's JSON", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_redirect_in_front_of_the_api_is_reported()
    {
        var token = await AccessTokenAsync();
        fake.Mode = GitLabFakeMode.SignInRedirect;

        var result = await reader.ReadUserAsync(fake.BaseUrl, token, CancellationToken.None);

        Assert.Equal(GitLabFailureKind.SignInPage, result.Failure?.Kind);
    }

    [Fact]
    public async Task A_server_error_is_reported()
    {
        var token = await AccessTokenAsync();
        fake.Mode = GitLabFakeMode.ServerError;

        var result = await reader.ReadUserAsync(fake.BaseUrl, token, CancellationToken.None);

        Assert.Equal(GitLabFailureKind.ServerError, result.Failure?.Kind);
    }

    [Fact]
    public async Task A_rate_limited_user_lookup_says_so_and_where_to_raise_the_limits()
    {
        var token = await AccessTokenAsync();
        fake.Mode = GitLabFakeMode.RateLimited;

        var result = await reader.ReadUserAsync(fake.BaseUrl, token, CancellationToken.None);

        Assert.Equal(GitLabFailureKind.ServerError, result.Failure?.Kind);
        Assert.StartsWith("GitLab is limiting the requests from the portal's address (429 Too Many Requests at ", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Contains("/api/v4/user)", result.Failure.Message, StringComparison.Ordinal);
    }

    /// <summary>A real code flow with PKCE against the fake; the application is trusted, so no consent page.</summary>
    private async Task<string> AccessTokenAsync(string scope = "read_user")
    {
        var verifier = GitLabFake.Base64Url(RandomNumberGenerator.GetBytes(32));
        var authorize = QueryHelpers.AddQueryString(GitLabEndpoints.Authorize(fake.BaseUrl), new Dictionary<string, string?>
        {
            ["client_id"] = application.ApplicationId, ["redirect_uri"] = Redirect, ["response_type"] = "code", ["state"] = "s",
            ["scope"] = scope, ["code_challenge"] = GitLabFake.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))), ["code_challenge_method"] = "S256",
        });
        using var redirect = await http.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        var code = QueryHelpers.ParseQuery(redirect.Headers.Location!.Query)["code"].ToString();
        using var token = await http.PostAsync(GitLabEndpoints.Token(fake.BaseUrl), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = Redirect, ["code_verifier"] = verifier,
            ["client_id"] = application.ApplicationId, ["client_secret"] = application.Secret,
        }));
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        return JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }
}
