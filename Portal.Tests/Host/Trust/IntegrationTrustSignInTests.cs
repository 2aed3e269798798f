using Portal.Core.Platforms.BitbucketServer;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Persistence;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Status;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host.Trust;

/// <summary>
/// Bitbucket on https with a certificate from a private test CA that only the integration trusts (no
/// Servers:TrustedCaFile): sign-in and status checks of that integration go through, nothing else gains the trust.
/// </summary>
public sealed class IntegrationTrustSignInTests
{
    private static SignInScenarioOptions PrivateCa() => new()
    {
        Fake = new BitbucketFakeOptions { Https = true, CertificateFromTestCa = true },
        TrustFakeThroughIntegration = true,
    };

    [Fact]
    public async Task OAuth2_sign_in_works_through_the_integrations_trusted_CA()
    {
        await using var scenario = await SignInScenario.StartAsync(PrivateCa());
        var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser, returnUrl: "/account");

        Assert.Equal(HttpStatusCode.Redirect, attempt.Response.StatusCode);
        Assert.Equal("/account", attempt.Response.Headers.Location!.OriginalString);
        Assert.Contains("Ada Lovelace", await browser.Http.GetStringAsync(new Uri("/account", UriKind.Relative)), StringComparison.Ordinal);
        Assert.True(Assert.Single(await scenario.SignInEventsAsync()).Succeeded);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Token_refresh_works_through_the_integrations_trusted_CA()
    {
        await using var scenario = await SignInScenario.StartAsync(PrivateCa());
        await scenario.SignInAsync(scenario.NewBrowser(), returnUrl: "/account");
        var identity = Assert.Single(await scenario.ExternalIdentitiesAsync());
        var (oldAccessToken, _) = await scenario.StoredTokensAsync();

        var result = await scenario.RefreshAsync(identity.Id);

        Assert.True(result.Succeeded, result.Message);
        Assert.NotEqual(oldAccessToken, (await scenario.StoredTokensAsync()).AccessToken);
    }

    [Fact]
    public async Task OAuth1_sign_in_works_through_the_integrations_trusted_CA()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async(PrivateCa());
        var browser = scenario.NewBrowser();

        var attempt = await scenario.SignInAsync(browser, returnUrl: "/account");

        Assert.Equal("/account", attempt.Response.Headers.Location!.OriginalString);
        Assert.True(Assert.Single(await scenario.SignInEventsAsync()).Succeeded);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Sign_in_fails_naming_the_untrusted_certificate_once_the_CA_is_removed()
    {
        await using var scenario = await SignInScenario.StartAsync(PrivateCa());
        var services = scenario.Host.Services;
        await using (var scope = services.CreateAsyncScope())
        {
            var removed = await scope.ServiceProvider.GetRequiredService<IntegrationTrustService>().RemoveAsync(await services.AdministratorAsync(), scenario.IntegrationId);
            Assert.True(removed.Value);
        }

        await scenario.SignInAsync(scenario.NewBrowser(), returnUrl: "/account");

        var failure = Assert.Single(await scenario.SignInEventsAsync());
        Assert.False(failure.Succeeded);
        Assert.Contains($"issued by \"{TestCertificateAuthority.IssuingSubject}\"", failure.FailureReason, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Status_checks_trust_the_CA_for_its_integration_only_and_show_its_expiry()
    {
        await using var scenario = await SignInScenario.StartAsync(PrivateCa());
        var services = scenario.Host.Services;
        var admin = await services.AdministratorAsync();
        var other = await services.CreateIntegrationAsync(new NewIntegration(Guid.NewGuid(), "Same server, no trust", BitbucketServerPlatform.KindOf.Key,
            scenario.Bitbucket.BaseUrl, "8.9.1", OAuthVersion.OAuth2, "client", "secret"));
        var status = services.GetRequiredService<IntegrationStatusService>();

        var trusted = (await status.CheckNowAsync(admin, scenario.IntegrationId)).Value!;
        var untrusted = (await status.CheckNowAsync(admin, other.Id)).Value!;

        var tls = trusted.LastReport!.Steps.Single(s => s.Step == ProbeStep.Tls);
        Assert.Equal(StepOutcome.Passed, tls.Outcome);
        Assert.Contains("trusted through this integration's trusted certificate", tls.Message, StringComparison.Ordinal);
        Assert.Equal(StepOutcome.Passed, trusted.LastReport.Steps.Single(s => s.Step == ProbeStep.Server).Outcome);
        Assert.Equal(new DateTimeOffset(scenario.Bitbucket.CertificateAuthority!.Root.NotAfter.ToUniversalTime(), TimeSpan.Zero), trusted.Integration.TrustedCaExpiresAt);

        var otherTls = untrusted.LastReport!.Steps.Single(s => s.Step == ProbeStep.Tls);
        Assert.Equal(StepOutcome.Failed, otherTls.Outcome);
        Assert.Contains("is not trusted", otherTls.Message, StringComparison.Ordinal);
        Assert.Null(untrusted.Integration.TrustedCaExpiresAt);
    }

    [Fact]
    public async Task Trusting_refuses_non_administrators_and_private_keys_then_trusts_and_removes()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions());
        var services = scenario.Host.Services;
        var admin = await services.AdministratorAsync();
        var (_, person) = await services.PersonAsync("Mallory", isAdministrator: false);
        using var authority = TestCertificateAuthority.Create();
        var rootPem = authority.Root.ExportCertificatePem();
        await using var scope = services.CreateAsyncScope();
        var trust = scope.ServiceProvider.GetRequiredService<IntegrationTrustService>();

        var refused = await trust.TrustAsync(person, scenario.IntegrationId, rootPem);
        var withKey = await trust.TrustAsync(admin, scenario.IntegrationId, rootPem + "\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        var before = await trust.FindAsync(scenario.IntegrationId);
        var trusted = await trust.TrustAsync(admin, scenario.IntegrationId, rootPem);
        var during = await trust.FindAsync(scenario.IntegrationId);
        await trust.RemoveAsync(admin, scenario.IntegrationId);
        var after = await trust.FindAsync(scenario.IntegrationId);
        var missing = await trust.TrustAsync(admin, Guid.NewGuid(), rootPem);

        Assert.NotNull(refused.Refusal);
        Assert.Contains("contains a private key", withKey.Value.Problem, StringComparison.Ordinal);
        Assert.Null(before!.Certificate);
        Assert.True(trusted.Value.Succeeded);
        Assert.Equal(TestCertificateAuthority.RootSubject, during!.Certificate!.Subject);
        Assert.DoesNotContain("PRIVATE KEY", during.Certificate.Pem, StringComparison.Ordinal);
        Assert.Null(after!.Certificate);
        Assert.False(missing.Value.IntegrationFound);
    }

    [Fact]
    public async Task Replacing_a_trusted_certificate_records_both_and_trusting_the_same_one_again_records_nothing()
    {
        await using var scenario = await SignInScenario.StartAsync(new SignInScenarioOptions());
        var services = scenario.Host.Services;
        var admin = await services.AdministratorAsync();
        using var first = TestCertificateAuthority.Create();
        using var second = TestCertificateAuthority.Create();
        await using var scope = services.CreateAsyncScope();
        var trust = scope.ServiceProvider.GetRequiredService<IntegrationTrustService>();

        Assert.True((await trust.TrustAsync(admin, scenario.IntegrationId, first.Root.ExportCertificatePem())).Value.Succeeded);
        Assert.True((await trust.TrustAsync(admin, scenario.IntegrationId, first.Root.ExportCertificatePem())).Value.Succeeded);
        Assert.True((await trust.TrustAsync(admin, scenario.IntegrationId, second.Root.ExportCertificatePem())).Value.Succeeded);

        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var kinds = await db.AuditEntries.AsNoTracking().Where(e => e.IntegrationId == scenario.IntegrationId
                && (e.Kind == AuditKind.CertificateTrusted || e.Kind == AuditKind.CertificateRemoved))
            .OrderBy(e => e.Id).Select(e => new { e.Kind, e.Details }).ToListAsync();
        Assert.Equal([AuditKind.CertificateTrusted, AuditKind.CertificateRemoved, AuditKind.CertificateTrusted], kinds.Select(k => k.Kind));
        Assert.Equal(kinds[0].Details, kinds[1].Details);
        Assert.NotEqual(kinds[0].Details, kinds[2].Details);
        Assert.Equal(second.Root.ExportCertificatePem(), (await trust.FindAsync(scenario.IntegrationId))!.Certificate!.Pem);
    }
}
