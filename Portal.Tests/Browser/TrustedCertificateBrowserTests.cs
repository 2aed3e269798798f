using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>Bitbucket behind a private CA: Trust this certificate in the wizard, then the integration's Trusted certificate page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TrustedCertificateBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly PortalHost host = new();
    private BitbucketFake fake = null!;

    public async Task InitializeAsync() =>
        fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Https = true, CertificateFromTestCa = true, ContextPath = "/bitbucket" });

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await fake.DisposeAsync();
    }

    [Fact]
    public async Task An_admin_trusts_the_private_CA_in_the_wizard_then_removes_it_and_trusts_a_pasted_root()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.SetupLink);
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add Integration" }).ClickAsync();
        await page.WaitForURLAsync($"{host.BaseUrl}/integrations/new");
        await page.WaitForInteractiveAsync();

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true }).FillAsync("Acme Private CA");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Base URL", Exact = true }).FillAsync(fake.BaseUrl);

        var failure = page.GetByTestId("check-failed");
        await Assertions.Expect(failure).ToContainTextAsync($"is not trusted (subject \"{TestCertificateAuthority.ServerSubject}\", issued by \"{TestCertificateAuthority.IssuingSubject}\")");
        await page.AssertNoAccessibilityViolationsAsync("setup session, wizard, untrusted certificate");

        await page.GetByRole(AriaRole.Button, new() { Name = "Trust this certificate" }).ClickAsync();
        var chain = page.GetByRole(AriaRole.Region, new() { Name = "The certificates the server presented" });
        // The button that had the focus is replaced by the chain: focus moves to its heading, and back on Cancel.
        var chainHeading = page.GetByRole(AriaRole.Heading, new() { Name = "The certificates the server presented" });
        await Assertions.Expect(chainHeading).ToBeFocusedAsync();
        await chain.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Trust this certificate" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(chainHeading).ToBeFocusedAsync();
        await Assertions.Expect(chain.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
        await Assertions.Expect(chain.GetByTestId("certificate-subject").Nth(1)).ToHaveTextAsync(TestCertificateAuthority.IssuingSubject);
        await Assertions.Expect(chain.GetByTestId("certificate-fingerprint").Nth(1)).ToHaveTextAsync(
            Portal.Core.Security.CertificateDetails.From(fake.CertificateAuthority!.Issuing).Sha256Fingerprint);
        await Assertions.Expect(chain.GetByTestId("trust-anchor-note")).ToContainTextAsync("did not send its root CA");
        await chain.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("80-wizard-untrusted-certificate-chain.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, wizard, presented chain before confirming");

        await chain.GetByRole(AriaRole.Button, new() { Name = "Trust it for this integration" }).ClickAsync();
        // The chain and its button are gone while the check runs again: focus is on the step's heading.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Base URL", Level = 2 })).ToBeFocusedAsync();

        await Assertions.Expect(page.GetByTestId("detected-version")).ToHaveTextAsync("Bitbucket 8.9.1");
        await Assertions.Expect(page.GetByTestId("trusted-certificate").GetByTestId("certificate-subject")).ToHaveTextAsync(TestCertificateAuthority.IssuingSubject);
        await page.GetByTestId("step-base-url").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotToAsync("81-wizard-certificate-trusted.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, wizard, certificate trusted and Bitbucket found");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Client ID", Exact = true }).FillAsync("0123456789abcdef0123456789abcdef");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Client Secret", Exact = true }).FillAsync("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create Integration" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/integrations\\?created="));

        await page.GetByRole(AriaRole.Link, new() { Name = "Acme Private CA: settings and actions" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/integrations/[0-9a-f-]{36}$"));
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Trusted certificate", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/integrations/[0-9a-f-]{36}/certificate$"));
        await page.WaitForInteractiveAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Trusted certificate of Acme Private CA" })).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveTitleAsync("Trusted certificate of Acme Private CA");
        await Assertions.Expect(page.GetByTestId("certificate-subject").First).ToHaveTextAsync(TestCertificateAuthority.IssuingSubject);
        await Assertions.Expect(page.GetByTestId("certificate-check").GetByTestId("check-found")).ToContainTextAsync("its certificate is trusted");
        // Heard as one line; the certificate panel and its buttons are not a live region.
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "its certificate is trusted" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[aria-live] [data-testid=check-found]")).ToHaveCountAsync(0);
        await page.ScreenshotToAsync("82-certificate-page-trusted.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Trusted certificate page, trusted");

        // A second tab on the same page, still showing the certificate after the first removes it.
        var secondTab = await page.Context.NewPageAsync();
        await secondTab.GotoAsync(page.Url);
        await secondTab.WaitForInteractiveAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove trusted certificate" }).ClickAsync();
        var question = page.GetByRole(AriaRole.Dialog, new() { Name = "Remove the trusted certificate?" });
        await Assertions.Expect(question).ToContainTextAsync("sign-ins through \"Acme Private CA\" and its checks fail from then on");
        await page.ScreenshotToAsync("84-certificate-page-remove-question.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Trusted certificate page, asked before removing");
        await question.GetByRole(AriaRole.Button, new() { Name = "Keep it" }).ClickAsync();
        await Assertions.Expect(question).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("certificate-subject").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove trusted certificate" }).ClickAsync();
        await question.GetByRole(AriaRole.Button, new() { Name = "Remove it" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("no-trusted-certificate")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What this integration trusts" })).ToBeFocusedAsync();
        await secondTab.GetByRole(AriaRole.Button, new() { Name = "Remove trusted certificate" }).ClickAsync();
        await secondTab.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Remove it" }).ClickAsync();
        await Assertions.Expect(secondTab.GetByText("\"Acme Private CA\" trusted no certificate of its own any more: someone removed it a moment ago.")).ToBeVisibleAsync();
        await Assertions.Expect(secondTab.GetByTestId("no-trusted-certificate")).ToBeVisibleAsync();
        await secondTab.CloseAsync();
        await Assertions.Expect(page.GetByTestId("certificate-check").GetByTestId("check-failed"))
            .ToContainTextAsync($"is not trusted (subject \"{TestCertificateAuthority.ServerSubject}\"");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Trusted certificate page, after removing");

        await page.GetByRole(AriaRole.Button, new() { Name = "Paste a CA certificate" }).ClickAsync();
        // A paste longer than a browser may send in one message by default (32 KB) is read and answered, not a lost page.
        await page.GetByRole(AriaRole.Textbox, new() { Name = "CA certificate (PEM)" }).FillAsync(new string('A', 70 * 1024));
        await page.GetByRole(AriaRole.Button, new() { Name = "Trust pasted certificate" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("trust-problem")).ToContainTextAsync("This is far longer than a certificate");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "CA certificate (PEM)" }).FillAsync(fake.CertificateAuthority.Root.ExportCertificatePem());
        await page.ScreenshotToAsync("83-certificate-page-paste-root.png");
        await page.AssertNoAccessibilityViolationsAsync("setup session, Trusted certificate page, pasting a root CA");
        await page.GetByRole(AriaRole.Button, new() { Name = "Trust pasted certificate" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("certificate-subject").First).ToHaveTextAsync(TestCertificateAuthority.RootSubject);
        await Assertions.Expect(page.GetByTestId("certificate-check").GetByTestId("check-found")).ToContainTextAsync("its certificate is trusted");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What this integration trusts" })).ToBeFocusedAsync();
        // Check again stays, marked busy, while the check it started runs: the focus stays on it.
        fake.SlowDelay = TimeSpan.FromSeconds(3);
        fake.Mode = FakeMode.Slow;
        var checkAgain = page.GetByRole(AriaRole.Button, new() { Name = "Check again" });
        await checkAgain.ClickAsync();
        await Assertions.Expect(page.GetByTestId("certificate-check").GetByTestId("check-checking")).ToBeVisibleAsync();
        await Assertions.Expect(checkAgain).ToHaveAttributeAsync("aria-disabled", "true");
        await Assertions.Expect(checkAgain).ToBeFocusedAsync();
        fake.Mode = FakeMode.Normal;
        await Assertions.Expect(page.GetByTestId("certificate-check").GetByTestId("check-found")).ToContainTextAsync("its certificate is trusted");
        await Assertions.Expect(checkAgain).ToBeFocusedAsync();
        await Assertions.Expect(checkAgain).Not.ToHaveAttributeAsync("aria-disabled", "true");
    }
}
