using System.Security.Cryptography;
using Bunit;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Features.Integrations.Wizard;
using Portal.Tests.Fakes;

namespace Portal.Tests.Components.Wizard;

/// <summary>Trust this certificate in the wizard's Base URL step, against the fake on https with a private test CA.</summary>
public sealed class TrustCertificateStepTests : WizardTestBase
{
    private async Task<(IRenderedComponent<BaseUrlStep> Cut, BitbucketFake Fake)> RenderUntrustedAsync()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Https = true, CertificateFromTestCa = true });
        var cut = Ctx.Render<BaseUrlStep>();
        cut.Find("input#integration-base-url").Input(fake.BaseUrl);
        WaitForText(cut, "[data-testid=check-failed]", $"issued by \"{TestCertificateAuthority.IssuingSubject}\"");
        return (cut, fake);
    }

    // Found and clicked on the renderer's thread: the live check re-renders the step from another thread.
    private static Task ClickAsync(IRenderedComponent<BaseUrlStep> cut, string text) =>
        cut.InvokeAsync(() => cut.FindAll("button").Single(b => b.TextContent.Contains(text, StringComparison.Ordinal)).Click());

    [Fact]
    public async Task Confirming_trusts_the_last_presented_certificate_in_the_draft_and_stopping_takes_it_back()
    {
        var (cut, fake) = await RenderUntrustedAsync();

        await ClickAsync(cut, "Trust this certificate");
        Assert.Equal(2, cut.FindAll("[data-testid=presented-chain] ol > li").Count);
        await ClickAsync(cut, "Cancel");
        Assert.Empty(cut.FindAll("[data-testid=presented-chain]"));
        Assert.Null(Draft.Check.TrustedCaPem);

        await ClickAsync(cut, "Trust this certificate");
        await ClickAsync(cut, "Trust it for this integration");

        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket 8.9.1");
        // The panel whose button was used is gone: focus goes to the step's heading.
        Assert.Equal("step-base-url", Assert.Single(Ctx.JSInterop.Invocations, i => i.Identifier == "portal.focusByKey").Arguments[0]);
        Assert.Equal("-1", cut.Find("h2[data-focus-key=step-base-url]").GetAttribute("tabindex"));
        Assert.Equal(fake.CertificateAuthority!.Issuing.ExportCertificatePem(), Draft.Check.TrustedCaPem);
        Assert.Equal(Draft.Check.TrustedCaPem, Draft.ToSnapshot().TrustedCaPem);
        Assert.Contains(TestCertificateAuthority.IssuingSubject, cut.Find("[data-testid=trusted-certificate]").TextContent, StringComparison.Ordinal);

        await ClickAsync(cut, "Stop trusting it");

        WaitForText(cut, "[data-testid=check-failed]", "is not trusted");
        Assert.Null(Draft.Check.TrustedCaPem);
        Assert.Equal(2, Ctx.JSInterop.Invocations.Count(i => i.Identifier == "portal.focusByKey"));
        Assert.Empty(cut.FindAll("[data-testid=trusted-certificate]"));
    }

    [Fact]
    public async Task On_the_edit_page_stopping_to_trust_the_saved_certificate_is_an_unsaved_change()
    {
        var fake = await StartFakeAsync(new BitbucketFakeOptions { Https = true, CertificateFromTestCa = true });
        var issuing = fake.CertificateAuthority!.Issuing.ExportCertificatePem();
        await Draft.StartEditingAsync(new IntegrationDetails(Guid.NewGuid(), "Acme Bitbucket", Draft.Platform, fake.BaseUrl, "8.9.1", OAuthVersion.OAuth2,
            "client-1", null, null, true, IntegrationVerification.Verified, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, issuing));
        var cut = Ctx.Render<BaseUrlStep>();
        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket 8.9.1");
        Assert.False(Draft.HasUnsavedChanges);

        await ClickAsync(cut, "Stop trusting it");

        WaitForText(cut, "[data-testid=check-failed]", "is not trusted");
        Assert.True(Draft.HasUnsavedChanges);
    }

    [Fact]
    public async Task A_pasted_private_key_is_refused_and_a_pasted_root_is_trusted()
    {
        var (cut, fake) = await RenderUntrustedAsync();
        using var key = RSA.Create(2048);
        var rootPem = fake.CertificateAuthority!.Root.ExportCertificatePem();

        await ClickAsync(cut, "Paste a CA certificate");
        await cut.InvokeAsync(() => cut.Find("textarea").Input(rootPem + "\n" + key.ExportPkcs8PrivateKeyPem()));
        await ClickAsync(cut, "Trust pasted certificate");

        WaitForText(cut, "[data-testid=trust-problem]", "contains a private key");
        Assert.Null(Draft.Check.TrustedCaPem);
        // The field is marked invalid and described by the problem, which sits in a live region that was there before it.
        var field = cut.Find("textarea");
        Assert.Equal("true", field.GetAttribute("aria-invalid"));
        var problemRegion = cut.Find("[data-testid=trust-problem]").ParentElement!;
        Assert.Equal("alert", problemRegion.GetAttribute("role"));
        Assert.Contains(problemRegion.Id!, field.GetAttribute("aria-describedby")!.Split(' '));

        await cut.InvokeAsync(() => cut.Find("textarea").Input(rootPem));
        await ClickAsync(cut, "Trust pasted certificate");

        WaitForText(cut, "[data-testid=detected-version]", "Bitbucket 8.9.1");
        Assert.Equal(rootPem, Draft.Check.TrustedCaPem);
    }
}
