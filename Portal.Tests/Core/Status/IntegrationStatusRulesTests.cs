using Portal.Core.Integrations;
using Portal.Core.Status;
using static Portal.Tests.Core.Status.StatusTestData;

namespace Portal.Tests.Core.Status;

public sealed class IntegrationStatusRulesTests
{
    [Fact]
    public void Reachable_compatible_and_verified_is_connected()
    {
        var verdict = IntegrationStatusRules.Decide(Integration(), Healthy(), SignInSummary.None, Now);

        Assert.Equal(IntegrationStatus.Connected, verdict.Status);
        Assert.Equal("Bitbucket 8.9.1 answers in 42 ms and supports OAuth 2, and signing in through this integration has worked.", verdict.Summary);
    }

    [Fact]
    public void Reachable_but_never_signed_in_through_is_not_verified_and_says_how_to_verify()
    {
        var verdict = IntegrationStatusRules.Decide(Integration(verification: IntegrationVerification.NotVerified), Healthy(), SignInSummary.None, Now);

        Assert.Equal(IntegrationStatus.NotVerified, verdict.Status);
        Assert.Contains("choose Verify on the Integrations page", verdict.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProbeProblem.Unreachable, IntegrationStatus.Unreachable)]
    [InlineData(ProbeProblem.Tls, IntegrationStatus.TlsError)]
    [InlineData(ProbeProblem.VersionUnsupported, IntegrationStatus.VersionUnsupported)]
    public void A_failed_check_decides_the_status_and_its_message_is_the_summary(ProbeProblem problem, IntegrationStatus expected)
    {
        var verdict = IntegrationStatusRules.Decide(Integration(), Failed(problem, ProbeStep.TcpConnect, "The cause, and the fix."), SignInSummary.None, Now);

        Assert.Equal(expected, verdict.Status);
        Assert.Equal("The cause, and the fix.", verdict.Summary);
    }

    [Theory]
    [InlineData(ProbeProblem.VersionUnsupported)]
    [InlineData(ProbeProblem.Misconfigured)]
    public void Sign_ins_that_work_outweigh_a_failed_check_of_the_oauth_provider_and_the_finding_stays_in_the_summary(ProbeProblem problem)
    {
        var report = Failed(problem, ProbeStep.OAuthProvider, "Bitbucket answered 404 at both provider paths.");
        var working = new SignInSummary(Now.AddHours(-3), 0, null, null);

        var verdict = IntegrationStatusRules.Decide(Integration(), report, working, Now);

        Assert.Equal(IntegrationStatus.Connected, verdict.Status);
        Assert.Contains("sign-ins through this integration work (the last at 2026-11-28 11:30 UTC)", verdict.Summary, StringComparison.Ordinal);
        Assert.EndsWith("Bitbucket answered 404 at both provider paths.", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_check_of_the_oauth_provider_decides_when_no_recent_sign_in_worked_or_sign_ins_now_fail()
    {
        var report = Failed(ProbeProblem.VersionUnsupported, ProbeStep.OAuthProvider, "The provider is missing.");

        Assert.Equal(IntegrationStatus.VersionUnsupported, IntegrationStatusRules.Decide(Integration(), report, SignInSummary.None, Now).Status);
        Assert.Equal(IntegrationStatus.VersionUnsupported,
            IntegrationStatusRules.Decide(Integration(), report, new SignInSummary(Now.AddDays(-8), 0, null, null), Now).Status);
        Assert.Equal(IntegrationStatus.VersionUnsupported,
            IntegrationStatusRules.Decide(Integration(), report, new SignInSummary(Now.AddHours(-3), 1, Now.AddHours(-1), "refused"), Now).Status);
        // Sign-ins from before an edit that verifies the integration afresh say nothing about it as it is now.
        Assert.Equal(IntegrationStatus.VersionUnsupported,
            IntegrationStatusRules.Decide(Integration(verification: IntegrationVerification.NotVerified), report, new SignInSummary(Now.AddHours(-3), 0, null, null), Now).Status);
        // An outage of the provider's endpoints is not outweighed either: the next sign-in meets it too.
        Assert.Equal(IntegrationStatus.Unreachable,
            IntegrationStatusRules.Decide(Integration(), Failed(ProbeProblem.Unreachable, ProbeStep.OAuthProvider, "Bitbucket answered 503 at the provider's metadata."), new SignInSummary(Now.AddHours(-3), 0, null, null), Now).Status);
        // A failure at an earlier step is not outweighed: the server itself did not answer.
        Assert.Equal(IntegrationStatus.Unreachable,
            IntegrationStatusRules.Decide(Integration(), Failed(ProbeProblem.Unreachable, ProbeStep.TcpConnect, "down"), new SignInSummary(Now.AddHours(-3), 0, null, null), Now).Status);
    }

    [Fact]
    public void A_disabled_integration_is_disabled_whatever_its_last_check_said()
    {
        var verdict = IntegrationStatusRules.Decide(Integration(enabled: false), Failed(ProbeProblem.Unreachable, ProbeStep.Dns, "x"), SignInSummary.None, Now);

        Assert.Equal(IntegrationStatus.Disabled, verdict.Status);
    }

    [Fact]
    public void An_integration_without_a_check_is_not_checked_yet()
    {
        var verdict = IntegrationStatusRules.Decide(Integration(), null, SignInSummary.None, Now);

        Assert.Equal(IntegrationStatus.NotChecked, verdict.Status);
        Assert.Equal("Not checked yet", IntegrationStatusText.Of(verdict.Status));
    }

    [Fact]
    public void A_certificate_expiring_within_14_days_is_degraded()
    {
        var verdict = IntegrationStatusRules.Decide(Integration(), Healthy(certificateExpiresAt: Now.AddDays(13).AddHours(2)), SignInSummary.None, Now);

        Assert.Equal(IntegrationStatus.Degraded, verdict.Status);
        Assert.Contains("certificate expires in 13 days, on 2026-12-11: renew it", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trusted_ca_expiring_within_14_days_is_degraded_and_says_where_to_renew_it()
    {
        var integration = Integration() with { TrustedCaPem = CaPem(Now.AddDays(9).AddHours(3)) };

        var verdict = IntegrationStatusRules.Decide(integration, Healthy(), SignInSummary.None, Now);

        Assert.Equal(IntegrationStatus.Degraded, verdict.Status);
        Assert.Equal("The CA certificate this integration trusts expires in 9 days, on 2026-12-07: trust the CA's renewed certificate on the integration's Trusted certificate page before then.", verdict.Summary);
    }

    [Fact]
    public void An_expired_trusted_ca_is_degraded_and_a_distant_one_is_fine()
    {
        var expired = IntegrationStatusRules.Decide(Integration() with { TrustedCaPem = CaPem(Now.AddDays(-2)) }, Healthy(), SignInSummary.None, Now);
        Assert.Equal(IntegrationStatus.Degraded, expired.Status);
        Assert.StartsWith("The CA certificate this integration trusts expired on 2026-11-26:", expired.Summary, StringComparison.Ordinal);

        var distant = IntegrationStatusRules.Decide(Integration() with { TrustedCaPem = CaPem(Now.AddDays(60)) }, Healthy(), SignInSummary.None, Now);
        Assert.Equal(IntegrationStatus.Connected, distant.Status);
    }

    [Fact]
    public void A_certificate_expiring_in_15_days_is_fine()
    {
        var verdict = IntegrationStatusRules.Decide(Integration(), Healthy(certificateExpiresAt: Now.AddDays(15)), SignInSummary.None, Now);

        Assert.Equal(IntegrationStatus.Connected, verdict.Status);
    }

    [Fact]
    public void Failed_sign_ins_without_a_success_after_them_are_degraded_with_the_last_reason()
    {
        var signIns = new SignInSummary(Now.AddHours(-5), 3, Now.AddMinutes(-10), "Bitbucket refused the client secret.");

        var verdict = IntegrationStatusRules.Decide(Integration(), Healthy(), signIns, Now);

        Assert.Equal(IntegrationStatus.Degraded, verdict.Status);
        Assert.Contains("3 sign-ins failed in the last 24 hours and none succeeded since; the portal recorded for the last one: Bitbucket refused the client secret.", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_sign_ins_followed_by_a_success_are_fine()
    {
        var signIns = new SignInSummary(Now.AddMinutes(-1), 3, Now.AddMinutes(-10), "Bitbucket refused the client secret.");

        Assert.Equal(IntegrationStatus.Connected, IntegrationStatusRules.Decide(Integration(), Healthy(), signIns, Now).Status);
    }

    [Fact]
    public void An_answer_slower_than_2_seconds_is_degraded()
    {
        var verdict = IntegrationStatusRules.Decide(Integration(), Healthy(latency: 2500), SignInSummary.None, Now);

        Assert.Equal(IntegrationStatus.Degraded, verdict.Status);
        Assert.Contains("Bitbucket took 2.5 seconds to answer", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misconfigured_provider_is_Misconfigured_with_the_failed_check_as_the_reason()
    {
        var steps = Healthy().Steps.Select(s => s.Step == ProbeStep.OAuthProvider
            ? s with { Outcome = StepOutcome.Failed, Message = "Bitbucket's base URL setting is https://other.example.com, but this integration's base URL is https://bitbucket.example.com: …" }
            : s).ToList();
        var report = Healthy() with { Problem = ProbeProblem.Misconfigured, Steps = steps };

        var verdict = IntegrationStatusRules.Decide(Integration(), report, SignInSummary.None, Now);

        Assert.Equal(IntegrationStatus.Misconfigured, verdict.Status);
        Assert.StartsWith("Bitbucket's base URL setting is https://other.example.com", verdict.Summary, StringComparison.Ordinal);
        Assert.False(IntegrationStatusText.IsAvailable(IntegrationStatus.Misconfigured));
    }

    [Fact]
    public void Every_status_has_its_own_badge_text()
    {
        var texts = Enum.GetValues<IntegrationStatus>().Select(IntegrationStatusText.Of).ToList();

        Assert.Equal(texts.Count, texts.Distinct().Count());
        Assert.Equal(["Not checked yet", "Connected", "Not verified", "Degraded", "Version unsupported", "TLS error", "Unreachable", "Disabled", "Misconfigured"], texts);
    }
}

public sealed class IntegrationInfoTests
{
    [Fact]
    public void The_trusted_ca_expiry_follows_the_pem_the_record_holds_even_after_a_copy_with_another()
    {
        var first = Integration() with { TrustedCaPem = CaPem(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)) };
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), first.TrustedCaExpiresAt);

        var second = first with { TrustedCaPem = CaPem(new DateTimeOffset(2031, 6, 1, 0, 0, 0, TimeSpan.Zero)) };
        Assert.Equal(new DateTimeOffset(2031, 6, 1, 0, 0, 0, TimeSpan.Zero), second.TrustedCaExpiresAt);
        Assert.Null((second with { TrustedCaPem = null }).TrustedCaExpiresAt);
        // Asking does not change the record: of two equal records, the one asked stays equal to the other.
        var pem = CaPem(new DateTimeOffset(2032, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var id = Guid.NewGuid();
        var asked = Integration(id: id) with { TrustedCaPem = pem };
        Assert.NotNull(asked.TrustedCaExpiresAt);
        Assert.Equal(Integration(id: id) with { TrustedCaPem = pem }, asked);
    }
}
