using System.Text.Json;
using Portal.Core.Platforms.GitLabSelfManaged;

namespace Portal.Tests.Core.GitLab;

public sealed class GitLabEndpointsTests
{
    [Theory]
    [InlineData("https://gitlab.example.com")]
    [InlineData("https://gitlab.example.com/")]
    public void Urls_hang_off_the_base_url(string baseUrl)
    {
        Assert.Equal("https://gitlab.example.com/.well-known/openid-configuration", GitLabEndpoints.Discovery(baseUrl));
        Assert.Equal("https://gitlab.example.com/oauth/authorize", GitLabEndpoints.Authorize(baseUrl));
        Assert.Equal("https://gitlab.example.com/oauth/token", GitLabEndpoints.Token(baseUrl));
        Assert.Equal("https://gitlab.example.com/api/v4/user", GitLabEndpoints.User(baseUrl));
        Assert.Equal("https://gitlab.example.com/api/v4/metadata", GitLabEndpoints.Metadata(baseUrl));
        Assert.Equal("https://gitlab.example.com/api/v4/version", GitLabEndpoints.Version(baseUrl));
        Assert.Equal("https://gitlab.example.com/admin/applications/new", GitLabEndpoints.NewAdminApplication(baseUrl));
    }

    [Fact]
    public void A_relative_url_root_is_kept()
    {
        const string baseUrl = "https://example.com/gitlab";

        Assert.Equal("https://example.com/gitlab/.well-known/openid-configuration", GitLabEndpoints.Discovery(baseUrl));
        Assert.Equal("https://example.com/gitlab/oauth/authorize", GitLabEndpoints.Authorize(baseUrl));
        Assert.Equal("https://example.com/gitlab/oauth/discovery/keys", GitLabEndpoints.Keys(baseUrl));
        Assert.Equal("https://example.com/gitlab/admin/applications", GitLabEndpoints.AdminApplications(baseUrl));
        Assert.Equal("https://example.com/gitlab/-/user_settings/applications", GitLabEndpoints.UserApplications(baseUrl));
        Assert.Equal("https://example.com/gitlab/groups/platform/tools/-/settings/applications", GitLabEndpoints.GroupApplications(baseUrl, "/platform/tools/"));
    }

    [Theory]
    [InlineData("https://GitLab.Example.com/gitlab/", "https://gitlab.example.com/gitlab", true)]
    [InlineData("https://gitlab.example.com:443", "https://gitlab.example.com", true)]
    [InlineData("https://gitlab.example.com/GitLab", "https://gitlab.example.com/gitlab", false)]
    [InlineData("http://gitlab.example.com", "https://gitlab.example.com", false)]
    [InlineData("https://gitlab.example.com", "https://gitlab.example.com/gitlab", false)]
    [InlineData("https://gitlab.internal", "https://gitlab.example.com", false)]
    public void The_issuer_comparison_ignores_case_of_the_host_default_ports_and_a_trailing_slash_only(string issuer, string baseUrl, bool same) =>
        Assert.Equal(same, GitLabDiscovery.SameUrl(issuer, baseUrl));

    [Theory]
    [InlineData("17.5.1-ee", 17, 5, 1, true)]
    [InlineData("18.1.1", 18, 1, 1, null)]
    [InlineData("15.2-pre", 15, 2, 0, null)]
    public void Versions_are_read_with_their_edition(string text, int major, int minor, int patch, bool? enterprise)
    {
        Assert.True(GitLabVersion.TryParse(text, "c401a659d0c", null, out var version));

        Assert.Equal((major, minor, patch), (version!.Major, version.Minor, version.Patch));
        Assert.Equal(enterprise, version.Enterprise);
        Assert.Equal($"GitLab {text}", version.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("seventeen")]
    [InlineData("17")]
    [InlineData("17.x.1")]
    public void Other_version_strings_are_refused(string? text) => Assert.False(GitLabVersion.TryParse(text, null, null, out _));

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("gloas-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("acme_gloas-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)] // GitLab 18's instance prefix
    [InlineData("gloas-0123456789abcdef", false)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef gloas-", false)]
    public void Application_secrets_may_carry_an_instance_prefix_before_gloas(string secret, bool looksRight) =>
        Assert.Equal(looksRight, new Portal.Core.Platforms.GitLabSelfManaged.GitLabSelfManagedPlatform(null!, null!).CheckClientSecret(secret) is null);

    [Fact]
    public void A_user_without_a_numeric_id_is_not_a_user()
    {
        Assert.Throws<JsonException>(() => GitLabUser.Parse("""{"id":"42","username":"ada"}"""));
        Assert.Throws<JsonException>(() => GitLabUser.Parse("""{"id":42}"""));
        Assert.Equal(42, GitLabUser.Parse("""{"id":42,"username":"ada","name":"Ada"}""").Id);
    }
}
