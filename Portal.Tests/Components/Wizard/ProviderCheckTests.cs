using Portal.Core.Connections;
using Portal.Core.Platforms;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Features.Integrations.Wizard;
using Portal.Tests.Fakes;

namespace Portal.Tests.Components.Wizard;

/// <summary>The wizard's live check of Bitbucket's OAuth 2 provider, below the detected version.</summary>
public sealed class ProviderCheckTests : WizardTestBase
{
    private IRenderedComponent<BaseUrlStep> Render() => Ctx.Render<BaseUrlStep>();

    private static void WaitForFinding(IRenderedComponent<BaseUrlStep> cut, OAuth2ProviderFinding finding) =>
        cut.WaitForAssertion(() => Assert.Equal(finding.ToString(), cut.Find("[data-testid=provider-check]").GetAttribute("data-finding")), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Metadata_that_names_this_https_base_url_confirms_the_provider()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Https = true, ContextPath = "/bitbucket" });
        var caFile = Path.Combine(Path.GetTempPath(), $"wizard-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(caFile, fake.Certificate!.ExportCertificatePem());
        // What the operator sets as Servers:TrustedCaFile; read when the wizard's first check creates its connection.
        Ctx.Services.GetRequiredService<IOptions<ServerConnectionOptions>>().Value.TrustedCaFile = caFile;
        try
        {
            var cut = Render();

            cut.Find("input#integration-base-url").Input(fake.BaseUrl);

            WaitForFinding(cut, OAuth2ProviderFinding.Ready);
            Assert.Contains("mud-alert-text-success", cut.Find("[data-testid=provider-check]").ClassName, StringComparison.Ordinal);
            Assert.Contains($"its metadata names {fake.BaseUrl} as Bitbucket's base URL", cut.Find("[data-testid=provider-check]").TextContent, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    [Fact]
    public async Task A_base_url_setting_that_differs_is_named_with_where_to_fix_it_without_stopping_the_wizard()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { BaseUrlSetting = reached => reached.Replace("127.0.0.1", "bitbucket.example.com", StringComparison.Ordinal) });
        var cut = Render();

        cut.Find("input#integration-base-url").Input(fake.BaseUrl);

        WaitForFinding(cut, OAuth2ProviderFinding.BaseUrlMismatch);
        var note = cut.Find("[data-testid=provider-check]");
        Assert.Contains($"Bitbucket's base URL setting is http://bitbucket.example.com:{fake.Port}, but this integration's base URL is {fake.BaseUrl}", note.TextContent, StringComparison.Ordinal);
        Assert.Contains("Administration → Server settings → Base URL", note.TextContent, StringComparison.Ordinal);
        Assert.Contains("mud-alert-text-warning", note.ClassName, StringComparison.Ordinal);
        Assert.True(Draft.Check.Found);
        Assert.True(Draft.ReadyForOAuthSettings);
    }

    [Fact]
    public async Task A_plain_http_bitbucket_gets_both_https_warnings()
    {
        var fake = await StartFakeAsync();
        var cut = Render();

        cut.Find("input#integration-base-url").Input(fake.BaseUrl);

        WaitForFinding(cut, OAuth2ProviderFinding.PlainHttp);
        Assert.Contains("plain http", cut.Find("[data-testid=provider-check]").TextContent, StringComparison.Ordinal);
        Assert.Contains("requires an https base URL", cut.Find("[data-testid=base-url-warning]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proxy_in_place_of_the_metadata_is_named_as_such()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { ProviderMetadata = ProviderMetadataMode.Forbidden });
        var cut = Render();

        cut.Find("input#integration-base-url").Input(fake.BaseUrl);

        WaitForFinding(cut, OAuth2ProviderFinding.Blocked);
        Assert.Contains("not a missing OAuth 2 provider", cut.Find("[data-testid=provider-check]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_older_bitbucket_without_metadata_is_confirmed_through_the_client_resource()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { ProviderMetadata = ProviderMetadataMode.Absent });
        var cut = Render();

        cut.Find("input#integration-base-url").Input(fake.BaseUrl);

        WaitForFinding(cut, OAuth2ProviderFinding.InstalledWithoutMetadata);
        Assert.Contains("answered 401, so Bitbucket's OAuth 2 provider is installed", cut.Find("[data-testid=provider-check]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bitbucket_that_needs_oauth_1_gets_no_provider_check()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Version = "7.17.0" });
        var cut = Render();

        cut.Find("input#integration-base-url").Input(fake.BaseUrl);

        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket 7.17.0");
        Assert.False(Draft.Check.ProviderChecking);
        Assert.Null(Draft.Check.Provider);
        Assert.Empty(cut.FindAll("[data-testid=provider-check], [data-testid=provider-checking]"));
    }

    [Fact]
    public async Task Choosing_oauth_1_hides_the_provider_note()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { BaseUrlSetting = _ => "https://bitbucket.example.com" });
        var cut = Render();
        cut.Find("input#integration-base-url").Input(fake.BaseUrl);
        WaitForFinding(cut, OAuth2ProviderFinding.BaseUrlMismatch);

        await cut.InvokeAsync(() => Draft.ChooseOAuthVersionAsync(OAuthVersion.OAuth1));

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=provider-check]")));
    }
}
