using Portal.Core.Platforms;
using System.Net;
using System.Text;
using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Tests.Core;

/// <summary>How the portal reads Bitbucket's OAuth 2 metadata and the fallback 401 of /rest/oauth2/1.0/client.</summary>
public class OAuth2ProviderClassifierTests
{
    private const string Base = "https://bitbucket.example.com/bitbucket";
    private static readonly Uri MetadataUri = new(Base + BitbucketVersionProbe.OAuth2MetadataPath);
    private static readonly Uri ClientUri = new(Base + BitbucketVersionProbe.OAuth2ClientPath);

    [Theory]
    [InlineData("https://bitbucket.example.com/bitbucket", "")]
    [InlineData("https://BITBUCKET.example.com/bitbucket/", "")]
    [InlineData("https://bitbucket.example.com:443/bitbucket", "")]
    [InlineData("http://bitbucket.example.com/bitbucket", "http:// instead of https://")]
    [InlineData("https://git.example.com/bitbucket", "the host git.example.com instead of bitbucket.example.com")]
    [InlineData("https://bitbucket.example.com:8443/bitbucket", "port 8443 instead of 443")]
    [InlineData("https://bitbucket.example.com", "no context path, where this base URL has /bitbucket")]
    [InlineData("https://bitbucket.example.com/stash", "the context path /stash instead of /bitbucket")]
    [InlineData("http://10.0.0.5:7990", "http:// instead of https://|the host 10.0.0.5 instead of bitbucket.example.com|port 7990 instead of 443|no context path, where this base URL has /bitbucket")]
    public void Differences_name_scheme_host_port_and_context_path(string issuer, string expected)
    {
        var differences = OAuth2ProviderClassifier.Differences(new Uri(Base), new Uri(issuer), endpointSuffix: null);

        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), differences);
    }

    [Fact]
    public void A_context_path_the_base_url_lacks_is_named()
    {
        var differences = OAuth2ProviderClassifier.Differences(new Uri("https://bitbucket.example.com"), new Uri("https://bitbucket.example.com/bitbucket"), null);

        Assert.Equal(["the context path /bitbucket, which this base URL lacks"], differences);
    }

    [Fact]
    public void Endpoints_are_compared_without_their_own_path()
    {
        var same = OAuth2ProviderClassifier.Differences(new Uri(Base), new Uri(Base + "/rest/oauth2/latest/token"), "/rest/oauth2/latest/token");
        var elsewhere = OAuth2ProviderClassifier.Differences(new Uri(Base), new Uri("https://bitbucket.example.com/rest/oauth2/latest/token"), "/rest/oauth2/latest/token");

        Assert.Empty(same);
        Assert.Equal(["no context path, where this base URL has /bitbucket"], elsewhere);
    }

    [Fact]
    public void Metadata_naming_the_base_url_over_https_is_ready()
    {
        var check = Metadata(Json(Base));

        Assert.Equal(OAuth2ProviderFinding.Ready, check.Finding);
        Assert.True(check.Usable);
        Assert.Equal(Base, check.BaseUrlSetting);
    }

    [Fact]
    public void Metadata_from_another_host_is_a_mismatch_that_names_bitbucket_s_setting_and_both_fixes()
    {
        var check = Metadata(Json("https://git.example.com/bitbucket"));

        Assert.Equal(OAuth2ProviderFinding.BaseUrlMismatch, check.Finding);
        Assert.False(check.Usable);
        Assert.Equal("https://git.example.com/bitbucket", check.BaseUrlSetting);
        Assert.Equal(
            "Bitbucket's base URL setting is https://git.example.com/bitbucket, but this integration's base URL is https://bitbucket.example.com/bitbucket: " +
            "the host git.example.com instead of bitbucket.example.com. Bitbucket builds its sign-in pages from its own setting and accepts the consent step only from there, " +
            "so sign-in through https://bitbucket.example.com/bitbucket fails at the consent step. Correct Bitbucket's setting in Bitbucket under " +
            "Administration → Server settings → Base URL (enter https://bitbucket.example.com/bitbucket), or, if https://git.example.com/bitbucket is the address people open Bitbucket at, use that as the base URL here.",
            check.Message);
    }

    [Fact]
    public void An_http_base_url_on_an_https_bitbucket_is_told_to_use_https()
    {
        var check = OAuth2ProviderClassifier.FromMetadata("http://bitbucket.example.com", new Uri("http://bitbucket.example.com" + BitbucketVersionProbe.OAuth2MetadataPath),
            JsonResponse(Json("https://bitbucket.example.com")), Json("https://bitbucket.example.com"));

        Assert.Equal(OAuth2ProviderFinding.BaseUrlMismatch, check.Finding);
        Assert.Contains("is https://bitbucket.example.com, but this integration's base URL is http://bitbucket.example.com: https:// instead of http://.", check.Message, StringComparison.Ordinal);
        Assert.Contains("Use https://bitbucket.example.com as the base URL here: Bitbucket's OAuth 2 provider works only over https.", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endpoint_outside_the_base_url_is_a_mismatch_even_when_the_issuer_matches()
    {
        var json = Json(Base).Replace($"{Base}/rest/oauth2/latest/token", "https://proxy.example.com/rest/oauth2/latest/token", StringComparison.Ordinal);

        var check = Metadata(json);

        Assert.Equal(OAuth2ProviderFinding.BaseUrlMismatch, check.Finding);
        Assert.StartsWith("Bitbucket's OAuth 2 metadata names https://proxy.example.com/rest/oauth2/latest/token as its token endpoint", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoints_under_the_rest_api_s_version_1_0_are_the_same_as_under_latest()
    {
        var json = Json(Base).Replace("/rest/oauth2/latest/", "/rest/oauth2/1.0/", StringComparison.Ordinal);

        Assert.Equal(OAuth2ProviderFinding.Ready, Metadata(json).Finding);
    }

    [Fact]
    public void Over_plain_http_a_400_that_names_https_is_the_provider_refusing_http_not_a_proxy()
    {
        const string plain = "http://bitbucket.example.com:7990";
        const string body = "{\"error\":\"invalid_request\",\"error_description\":\"no https\"}";

        var check = OAuth2ProviderClassifier.FromMetadata(plain, new Uri(plain + BitbucketVersionProbe.OAuth2MetadataPath), Response(HttpStatusCode.BadRequest, "application/json", body), body);

        Assert.Equal(OAuth2ProviderFinding.Blocked, check.Finding); // the metadata could not be read: a failure, not a warning
        Assert.Contains("Serve Bitbucket over https", check.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("proxy or plugin is in the way", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Over_plain_http_a_400_that_says_nothing_of_https_is_still_something_in_the_way()
    {
        const string plain = "http://bitbucket.example.com:7990";
        const string body = "<html><body>400 Bad Request</body></html>";

        var check = OAuth2ProviderClassifier.FromMetadata(plain, new Uri(plain + BitbucketVersionProbe.OAuth2MetadataPath), Response(HttpStatusCode.BadRequest, "text/plain", body), body);

        Assert.Equal(OAuth2ProviderFinding.Blocked, check.Finding);
        Assert.Contains("proxy or plugin is in the way", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_http_everywhere_is_a_warning_that_names_https_and_the_skip_property()
    {
        const string plain = "http://bitbucket.example.com";
        var check = OAuth2ProviderClassifier.FromMetadata(plain, new Uri(plain + BitbucketVersionProbe.OAuth2MetadataPath), JsonResponse(Json(plain)), Json(plain));

        Assert.Equal(OAuth2ProviderFinding.PlainHttp, check.Finding);
        Assert.True(check.IsWarning);
        Assert.Contains("plain http", check.Message, StringComparison.Ordinal);
        Assert.Contains("\"no https\" (HTTP 400)", check.Message, StringComparison.Ordinal);
        Assert.Contains("atlassian.oauth2.provider.skip.base.url.https.requirement=true", check.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "text/html", "<html><body>403 Forbidden</body></html>", "answered 403 Forbidden to an anonymous request")]
    [InlineData(HttpStatusCode.Unauthorized, "text/html", "", "answered 401 Unauthorized to an anonymous request")]
    [InlineData(HttpStatusCode.OK, "text/html", "<!DOCTYPE html><html><title>Log in</title><input type=password></html>", "with a login page instead of Bitbucket's JSON")]
    [InlineData(HttpStatusCode.OK, "text/html", "<html><body>Welcome</body></html>", "with a web page instead of Bitbucket's JSON")]
    [InlineData(HttpStatusCode.OK, "application/json", "{\"status\":\"ok\"}", "JSON that is not Bitbucket's OAuth 2 metadata")]
    [InlineData(HttpStatusCode.OK, "application/json", "{broken", "something that is not JSON")]
    public void Something_else_answering_the_metadata_is_blocked_not_missing(HttpStatusCode status, string mediaType, string body, string expected)
    {
        var check = OAuth2ProviderClassifier.FromMetadata(Base, MetadataUri, Response(status, mediaType, body), body);

        Assert.Equal(OAuth2ProviderFinding.Blocked, check.Finding);
        Assert.Contains(expected, check.Message, StringComparison.Ordinal);
        Assert.Contains("Let /rest/oauth2/ through to Bitbucket without sign-in.", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_redirect_of_the_metadata_is_blocked_and_names_where_it_leads()
    {
        var response = new HttpResponseMessage(HttpStatusCode.Found) { Content = new StringContent("") };
        response.Headers.Location = new Uri("/sso/login?next=x", UriKind.Relative);

        var check = OAuth2ProviderClassifier.FromMetadata(Base, MetadataUri, response, "");

        Assert.Equal(OAuth2ProviderFinding.Blocked, check.Finding);
        Assert.Contains($"redirected {MetadataUri.AbsolutePath} to https://bitbucket.example.com/sso/login?next=x", check.Message, StringComparison.Ordinal);
        Assert.Contains("not a missing OAuth 2 provider", check.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "application/json", "", OAuth2ProviderFinding.InstalledWithoutMetadata)]
    [InlineData(HttpStatusCode.NotFound, "application/json", "", OAuth2ProviderFinding.Missing)]
    [InlineData(HttpStatusCode.Forbidden, "application/json", "", OAuth2ProviderFinding.Blocked)]
    [InlineData(HttpStatusCode.OK, "text/html", "<html></html>", OAuth2ProviderFinding.Blocked)]
    [InlineData(HttpStatusCode.OK, "application/json", "[]", OAuth2ProviderFinding.Blocked)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "text/plain", "down", OAuth2ProviderFinding.ServerError)]
    public void Without_metadata_the_client_resource_decides(HttpStatusCode status, string mediaType, string body, OAuth2ProviderFinding expected)
    {
        var check = OAuth2ProviderClassifier.FromClient(Base, MetadataUri, ClientUri, Response(status, mediaType, body), body);

        Assert.Equal(expected, check.Finding);
        Assert.Null(check.BaseUrlSetting);
    }

    [Fact]
    public void A_missing_provider_says_where_to_enable_it()
    {
        var check = OAuth2ProviderClassifier.FromClient(Base, MetadataUri, ClientUri, Response(HttpStatusCode.NotFound, "text/html", ""), "");

        Assert.Equal(
            $"Bitbucket answered 404 at {MetadataUri.AbsolutePath} and at {ClientUri.AbsolutePath}, so its OAuth 2 provider is missing or disabled and sign-in through OAuth 2 cannot work: " +
            "in Bitbucket's administration, open Manage apps, show the system apps and enable the OAuth 2 provider, or upgrade Bitbucket to 7.21 or later.",
            check.Message);
    }

    private static OAuth2ProviderCheck Metadata(string json) => OAuth2ProviderClassifier.FromMetadata(Base, MetadataUri, JsonResponse(json), json);

    /// <summary>The document as Bitbucket builds it from its base URL setting (protocol notes §1.3).</summary>
    private static string Json(string issuer) => $$"""
        {"issuer":"{{issuer}}","authorization_endpoint":"{{issuer.TrimEnd('/')}}/rest/oauth2/latest/authorize","token_endpoint":"{{issuer.TrimEnd('/')}}/rest/oauth2/latest/token",
         "response_types_supported":["code"],"token_endpoint_auth_methods_supported":["client_secret_post"]}
        """;

    private static HttpResponseMessage JsonResponse(string json) => Response(HttpStatusCode.OK, "application/json", json);

    private static HttpResponseMessage Response(HttpStatusCode status, string mediaType, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
}
