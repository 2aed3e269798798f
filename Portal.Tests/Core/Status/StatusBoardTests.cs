using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Integrations;
using Portal.Core.Status;
using Portal.Tests.Core.OAuth1;
using static Portal.Tests.Core.Status.StatusTestData;

namespace Portal.Tests.Core.Status;

public sealed class StatusBoardTests
{
    private readonly FixedTimeProvider clock = new(Now);
    private readonly StatusBoard board;

    public StatusBoardTests() => board = new StatusBoard(clock, NullLogger<StatusBoard>.Instance, Options.Create(new StatusOptions()));

    private void Load(params IntegrationInfo[] integrations) =>
        board.Load(integrations, new Dictionary<Guid, SignInSummary>(), new Dictionary<Guid, IntegrationProbeReport>(), []);

    [Fact]
    public void Without_background_checks_a_card_not_checked_yet_or_disabled_points_to_Check_now_not_to_a_pass_that_never_comes()
    {
        var withoutChecks = new StatusBoard(clock, NullLogger<StatusBoard>.Instance, Options.Create(new StatusOptions { Enabled = false }));
        var notYet = Integration();
        var disabled = Integration(enabled: false);
        withoutChecks.Load([notYet, disabled], new Dictionary<Guid, SignInSummary>(), new Dictionary<Guid, IntegrationProbeReport>(), []);
        Load(notYet, disabled);

        var notChecked = withoutChecks.Find(notYet.Id)!;
        Assert.Equal(IntegrationStatus.NotChecked, notChecked.Status);
        Assert.Contains("background checks are switched off (Status:Enabled is false): choose Check now", notChecked.Summary);
        Assert.DoesNotContain("next pass", notChecked.Summary);
        Assert.Contains("choose Check now to check it", withoutChecks.Find(disabled.Id)!.Summary);
        Assert.DoesNotContain("next pass", withoutChecks.Find(disabled.Id)!.Summary);
        // With background checks, the scheduler's next pass is what comes.
        Assert.Contains("the scheduler checks it on its next pass", board.Find(notYet.Id)!.Summary);
        Assert.Contains("the next pass checks it", board.Find(disabled.Id)!.Summary);
    }

    [Fact]
    public void Publishing_a_report_notifies_subscribers_with_the_new_snapshot()
    {
        var integration = Integration();
        Load(integration);
        var changes = new List<StatusBoardChange>();
        board.Changed += changes.Add;

        board.PublishReport(integration.Id, Healthy());

        var change = Assert.Single(changes);
        Assert.Equal(IntegrationStatus.Connected, change.Snapshot!.Status);
        Assert.Same(change.Snapshot, board.Find(integration.Id));
        Assert.Same(change.Snapshot, Assert.Single(board.Snapshots));
    }

    [Fact]
    public void An_edit_of_what_the_check_reads_drops_the_old_verdict_and_a_check_of_the_old_settings_is_not_shown()
    {
        var before = Integration(baseUrl: "https://old.example.com");
        Load(before);
        board.PublishReport(before, Failed(ProbeProblem.Unreachable, ProbeStep.TcpConnect, "Nothing accepts connections at old.example.com:443."));
        var after = before with { BaseUrl = "https://bitbucket.example.com" };

        board.SyncIntegrations([after]);

        Assert.Equal(IntegrationStatus.NotChecked, board.Find(before.Id)!.Status);
        // A check that started before the edit ends after it: it was a check of the old address.
        Assert.Null(board.PublishReport(before, Failed(ProbeProblem.Unreachable, ProbeStep.TcpConnect, "Nothing accepts connections at old.example.com:443.")));
        Assert.Equal(IntegrationStatus.NotChecked, board.Find(before.Id)!.Status);
        Assert.Equal(IntegrationStatus.Connected, board.PublishReport(after, Healthy())!.Status);
        // A rename is not an edit of what the check reads.
        board.SyncIntegrations([after with { Name = "Acme Bitbucket EU" }]);
        Assert.Equal(IntegrationStatus.Connected, board.Find(before.Id)!.Status);
    }

    [Fact]
    public void An_edit_seen_first_through_a_sign_in_drops_the_old_verdict_too()
    {
        var before = Integration(baseUrl: "https://old.example.com");
        Load(before);
        board.PublishReport(before, Healthy());

        board.PublishSignIns(before with { BaseUrl = "https://bitbucket.example.com" }, SignInSummary.None);

        Assert.Equal(IntegrationStatus.NotChecked, board.Find(before.Id)!.Status);
    }

    [Fact]
    public void Enabling_again_drops_the_verdict_from_before_it_was_disabled()
    {
        var integration = Integration();
        Load(integration);
        board.PublishReport(integration, Healthy());
        board.SyncIntegrations([integration with { Enabled = false }]);
        Assert.Equal(IntegrationStatus.Disabled, board.Find(integration.Id)!.Status);

        board.SyncIntegrations([integration]);

        Assert.Equal(IntegrationStatus.NotChecked, board.Find(integration.Id)!.Status);
    }

    [Fact]
    public void A_stored_check_that_ended_after_a_disable_counts_as_no_check_when_the_board_loads()
    {
        var integration = Integration();
        board.Load([integration], new Dictionary<Guid, SignInSummary>(), new Dictionary<Guid, IntegrationProbeReport>(),
            [new StoredCheck(integration.Id, Now.AddMinutes(-10), IntegrationStatus.Connected), new StoredCheck(integration.Id, Now.AddMinutes(-5), IntegrationStatus.Disabled)]);

        var hour = board.Find(integration.Id)!.Last24Hours[^1];

        Assert.Equal(1, hour.Checks);
        Assert.Equal(IntegrationStatus.Connected, hour.Worst);
    }

    [Fact]
    public void A_successful_sign_in_moves_the_last_success_without_reordering_the_board()
    {
        var acme = Integration(name: "Acme Bitbucket");
        var zeta = Integration(name: "Zeta Bitbucket");
        Load(zeta, acme);
        var changes = new List<StatusBoardChange>();
        board.Changed += changes.Add;

        board.RecordSuccessfulSignIn(new Portal.Core.Accounts.SignInEvent { IntegrationId = acme.Id, OccurredAt = Now.AddMinutes(-1), Succeeded = true });
        board.RecordSuccessfulSignIn(new Portal.Core.Accounts.SignInEvent { IntegrationId = acme.Id, OccurredAt = Now.AddMinutes(-5), Succeeded = true });

        var snapshot = board.Find(acme.Id)!;
        Assert.Equal(Now.AddMinutes(-1), snapshot.SignIns.LastSuccessAt);
        Assert.Equal(2, changes.Count);
        Assert.Equal(["Acme Bitbucket", "Zeta Bitbucket"], board.Snapshots.Select(s => s.Integration.Name));
        Assert.Same(snapshot, board.Snapshots[0]);
    }

    [Fact]
    public void A_failing_subscriber_does_not_stop_the_others()
    {
        var integration = Integration();
        Load(integration);
        var seen = 0;
        board.Changed += _ => throw new InvalidOperationException("broken circuit");
        board.Changed += _ => seen++;

        board.PublishReport(integration.Id, Healthy());

        Assert.Equal(1, seen);
    }

    [Fact]
    public void The_strip_has_24_hours_and_each_hour_shows_its_worst_status()
    {
        var integration = Integration();
        Load(integration);

        board.PublishReport(integration.Id, Healthy(Now.AddHours(-2)));
        board.PublishReport(integration.Id, Failed(ProbeProblem.Unreachable, ProbeStep.TcpConnect, "down", Now.AddHours(-2).AddMinutes(1)));
        board.PublishReport(integration.Id, Healthy(Now.AddHours(-2).AddMinutes(2)));
        board.PublishReport(integration.Id, Healthy(Now));

        var strip = board.Find(integration.Id)!.Last24Hours;
        Assert.Equal(24, strip.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 14, 0, 0, TimeSpan.Zero), strip[^1].Start);
        Assert.Equal(new AvailabilityHour(Now.AddHours(-2).AddMinutes(-30), 3, 2, IntegrationStatus.Unreachable), strip[^3]);
        Assert.Equal(IntegrationStatus.Connected, strip[^1].Worst);
        Assert.All(strip.Take(21), h => Assert.Equal(0, h.Checks));
        Assert.Equal(0.75, board.Find(integration.Id)!.Availability);
    }

    [Fact]
    public void Hours_older_than_24_hours_leave_the_strip()
    {
        var integration = Integration();
        Load(integration);
        board.PublishReport(integration.Id, Healthy(Now.AddMinutes(-5)));

        clock.Now = Now.AddHours(24);
        board.PublishReport(integration.Id, Healthy(clock.GetUtcNow()));

        var strip = board.Find(integration.Id)!.Last24Hours;
        Assert.Equal(1, strip.Sum(h => h.Checks));
    }

    [Fact]
    public void Syncing_adds_new_integrations_as_not_checked_and_removes_deleted_ones()
    {
        var kept = Integration("Kept");
        var deleted = Integration("Deleted");
        Load(kept, deleted);
        var added = Integration("Added");
        var changes = new List<StatusBoardChange>();
        board.Changed += changes.Add;

        board.SyncIntegrations([kept, added]);

        Assert.Equal(["Added", "Kept"], board.Snapshots.Select(s => s.Integration.Name));
        Assert.Equal(IntegrationStatus.NotChecked, board.Find(added.Id)!.Status);
        Assert.Contains(changes, c => c.IntegrationId == deleted.Id && c.Snapshot is null);
        Assert.DoesNotContain(changes, c => c.IntegrationId == kept.Id);
    }

    [Fact]
    public void A_sign_in_outcome_changes_the_status_without_a_new_probe()
    {
        var integration = Integration(verification: IntegrationVerification.NotVerified);
        Load(integration);
        board.PublishReport(integration.Id, Healthy());
        Assert.Equal(IntegrationStatus.NotVerified, board.Find(integration.Id)!.Status);

        var verified = integration with { Verification = IntegrationVerification.Verified, VerifiedAt = Now };
        board.PublishSignIns(verified, new SignInSummary(Now, 0, null, null));

        var snapshot = board.Find(integration.Id)!;
        Assert.Equal(IntegrationStatus.Connected, snapshot.Status);
        Assert.Equal(Now, snapshot.SignIns.LastSuccessAt);
        Assert.Equal(1, snapshot.Last24Hours.Sum(h => h.Checks));
    }

    [Fact]
    public void A_disabled_integration_adds_nothing_to_the_strip()
    {
        var integration = Integration(enabled: false);
        Load(integration);

        board.PublishReport(integration.Id, Healthy());

        Assert.Equal(IntegrationStatus.Disabled, board.Find(integration.Id)!.Status);
        Assert.Equal(0, board.Find(integration.Id)!.Last24Hours.Sum(h => h.Checks));
    }
}
