using Portal.Core.Platforms.BitbucketServer;
using Bunit;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Features.Integrations.Wizard;

namespace Portal.Tests.Components.Wizard;

public sealed class StepTests : WizardTestBase
{
    [Fact]
    public void The_name_step_starts_on_the_first_platform_and_requires_a_name()
    {
        var cut = Ctx.Render<NameAndPlatformStep>();

        cut.Find("input#integration-name").Input("   ");

        WaitForText(cut, "#integration-name-messages", "Enter a name");
        Assert.Equal(BitbucketServerPlatform.KindOf.Key, Draft.Platform);
        var name = cut.Find("input#integration-name");
        Assert.Equal("true", name.GetAttribute("aria-required"));
        Assert.Equal("true", name.GetAttribute("aria-invalid"));
        Assert.Empty(cut.FindAll("[data-testid=step-name-done]"));

        cut.Find("input#integration-name").Input("Acme Git");

        cut.WaitForAssertion(() => Assert.Null(cut.Find("input#integration-name").GetAttribute("aria-invalid")));
        // Said in words beside the heading, for everyone, not only by the number turning green.
        var done = cut.Find("[data-testid=step-name-done]");
        Assert.Equal("Done", done.TextContent.Trim());
        Assert.DoesNotContain("sr-only", done.ClassName ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_already_taken_is_refused_whatever_its_case()
    {
        await using (var db = Database.CreateContext())
        {
            db.Integrations.Add(new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = Guid.NewGuid(), Name = "Acme Bitbucket", BaseUrl = "https://b.example.com", ClientId = "x", ProtectedClientSecret = "x" });
            await db.SaveChangesAsync();
        }
        var cut = Ctx.Render<NameAndPlatformStep>();

        cut.Find("input#integration-name").Input("acme bitbucket");

        WaitForText(cut, "#integration-name-messages", "already exists");
    }

    [Fact]
    public void The_oauth_step_shows_the_callback_url_from_the_public_url_and_the_draft_id_and_the_application_links_page()
    {
        var cut = Ctx.Render<OAuthSettingsStep>();

        var callback = cut.Find("input#integration-callback-url");
        Assert.Equal($"{PublicUrl}/signin/callback/{Draft.Id:N}", callback.GetAttribute("value"));
        Assert.True(callback.HasAttribute("readonly"));
        Assert.NotNull(cut.Find("label[for=integration-callback-url]"));
        Assert.NotNull(cut.Find("[aria-label='Copy Callback URL / Redirect URL']"));
        var steps = cut.Find("[data-testid=platform-steps]").TextContent;
        Assert.Contains("External application", steps, StringComparison.Ordinal);
        Assert.Contains("Incoming", steps, StringComparison.Ordinal);
        Assert.Contains("Repositories: Read", steps, StringComparison.Ordinal);
        Assert.Equal("_blank", cut.Find("[data-testid=applinks-link]").GetAttribute("target"));
        Assert.Empty(cut.FindAll("[data-testid=callback-warning]"));
    }

    [Fact]
    public async Task The_callback_url_does_not_change_when_the_name_changes()
    {
        var cut = Ctx.Render<OAuthSettingsStep>();
        var before = cut.Find("input#integration-callback-url").GetAttribute("value");

        await cut.InvokeAsync(() => Draft.SetNameAsync("Renamed"));

        Assert.Equal(before, cut.Find("input#integration-callback-url").GetAttribute("value"));
    }

    [Fact]
    public void Credentials_with_inner_whitespace_are_refused()
    {
        var cut = Ctx.Render<CredentialsStep>();

        cut.Find("input#integration-client-id").Input("abc def");
        cut.Find("input#integration-client-secret").Input("s3cret\nmore");

        WaitForText(cut, "#client-id-messages", "contains spaces or line breaks");
        WaitForText(cut, "#client-secret-messages", "contains spaces or line breaks");
    }

    [Fact]
    public void Credentials_that_do_not_look_like_bitbucket_ones_get_a_hint_not_an_error()
    {
        var cut = Ctx.Render<CredentialsStep>();

        cut.Find("input#integration-client-id").Input("  my-client  ");

        WaitForText(cut, "#client-id-messages", "32 hexadecimal characters");
        Assert.Empty(cut.FindAll("#client-id-messages [data-testid=field-error]"));
    }

    [Fact]
    public void The_client_secret_is_masked_until_shown()
    {
        var cut = Ctx.Render<CredentialsStep>();
        Assert.Equal("password", cut.Find("input#integration-client-secret").GetAttribute("type"));

        cut.Find("[aria-label='Show Client Secret']").Click();

        Assert.Equal("text", cut.Find("input#integration-client-secret").GetAttribute("type"));
        Assert.NotNull(cut.Find("[aria-label='Hide Client Secret']"));
    }
}
