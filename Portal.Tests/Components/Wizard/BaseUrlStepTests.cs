using Bunit;
using Portal.Features.Integrations.Wizard;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Wizard;

public sealed class BaseUrlStepTests : WizardTestBase
{
    private IRenderedComponent<BaseUrlStep> Render() => Ctx.Render<BaseUrlStep>();

    [Fact]
    public void An_empty_field_shows_no_check()
    {
        var cut = Render();

        Assert.Empty(cut.FindAll("[data-testid=check-checking], [data-testid=check-found], [data-testid=check-failed], [data-testid=base-url-invalid]"));
        Assert.NotNull(cut.Find("label[for=integration-base-url]"));
    }

    [Theory]
    [InlineData("ftp://bitbucket.example.com", "\"ftp:\" is not supported")]
    [InlineData("bitbucket.example.com", "https://bitbucket.example.com")]
    [InlineData("https://admin:pw@bitbucket.example.com", "Credentials must not be in the URL")]
    public void An_invalid_url_says_why_and_does_not_probe(string input, string expected)
    {
        var cut = Render();

        cut.Find("input#integration-base-url").Input(input);

        WaitForText(cut, "[data-testid=base-url-invalid]", expected);
        Assert.Equal(BaseUrlCheckStatus.Idle, Draft.Check.Status);
    }

    [Fact]
    public async Task While_bitbucket_is_slow_the_step_says_it_is_checking()
    {
        var fake = await StartFakeAsync();
        fake.Mode = FakeMode.Slow;
        var cut = Render();

        cut.Find("input#integration-base-url").Input(fake.BaseUrl);

        WaitForText(cut, "[data-testid=check-checking]", $"Checking {fake.BaseUrl}");
    }

    [Theory]
    [InlineData("8.9.1", "OAuth 2", "supports OAuth 2")]
    [InlineData("7.21.0", "OAuth 2", "supports OAuth 2")]
    [InlineData("9.4.22", "OAuth 2", "supports OAuth 2")]
    [InlineData("10.0.1", "OAuth 2", "supports OAuth 2")]
    [InlineData("7.20.3", "OAuth 1", "7.20 introduced them")]
    [InlineData("7.17.0", "OAuth 1", "7.21")]
    public async Task A_found_bitbucket_shows_its_version_and_oauth_version(string version, string oauth, string note)
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Version = version });
        var cut = Render();

        cut.Find("input#integration-base-url").Input(fake.BaseUrl);

        WaitForText(cut, "[data-testid=detected-version]", $"Bitbucket {version}");
        Assert.Equal(oauth, cut.Find("[data-testid=detected-oauth]").TextContent.Trim());
        Assert.Contains(note, cut.Find("[data-testid=check-found]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_context_path_is_kept_and_checked()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket" });
        var cut = Render();

        cut.Find("input#integration-base-url").Input(fake.BaseUrl + "/");

        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket 8.9.1");
        Assert.EndsWith("/bitbucket", Draft.Check.Url, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FakeMode.NotFound, "context path")]
    [InlineData(FakeMode.HtmlLoginPage, "Enable OAuth whitelist")]
    [InlineData(FakeMode.HtmlOther, "web page instead of Bitbucket's REST API")]
    [InlineData(FakeMode.Redirect, "does not follow redirects")]
    [InlineData(FakeMode.ServerError, "503")]
    [InlineData(FakeMode.GarbageJson, "not with valid JSON")]
    [InlineData(FakeMode.NonBitbucketJson, "check that the base URL is Bitbucket")]
    public async Task Each_failure_shows_its_own_message(FakeMode mode, string expected)
    {
        var fake = await StartFakeAsync();
        fake.Mode = mode;
        var cut = Render();

        cut.Find("input#integration-base-url").Input(fake.BaseUrl);

        WaitForText(cut, "[data-testid=check-failed]", expected);
        Assert.NotNull(cut.Find("button:contains('Check again')"));
    }

    [Fact]
    public void A_refused_connection_names_the_address()
    {
        var port = PortalHost.FreeLoopbackPort();
        var cut = Render();

        cut.Find("input#integration-base-url").Input($"http://127.0.0.1:{port}");

        WaitForText(cut, "[data-testid=check-failed]", $"127.0.0.1:{port}");
        Assert.Equal("ConnectionRefused", cut.Find("[data-testid=check-failed]").GetAttribute("data-failure"));
    }

    [Fact]
    public async Task Check_again_runs_the_check_once_more()
    {
        var fake = await StartFakeAsync();
        fake.Mode = FakeMode.ServerError;
        var cut = Render();
        cut.Find("input#integration-base-url").Input(fake.BaseUrl);
        WaitForText(cut, "[data-testid=check-failed]", "503");

        fake.Mode = FakeMode.Normal;
        cut.Find("button:contains('Check again')").Click();

        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket 8.9.1");
    }

    [Fact]
    public async Task The_https_warning_for_oauth_2_is_dropped_once_the_server_needs_oauth_1()
    {
        var modern = await StartFakeAsync();
        var old = await StartFakeAsync(new BitbucketFakeOptions { Version = "7.17.0" });
        var cut = Render();

        cut.Find("input#integration-base-url").Input(modern.BaseUrl);
        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket 8.9.1");
        Assert.Contains("requires an https base URL", cut.Find("[data-testid=base-url-warning]").TextContent, StringComparison.Ordinal);

        cut.Find("input#integration-base-url").Input(old.BaseUrl);
        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket 7.17.0");
        Assert.Empty(cut.FindAll("[data-testid=base-url-warning]"));
    }
}
