using Portal.Core.Platforms;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Accounts;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

public sealed class VerificationNotifierTests
{
    private readonly ShiftableTimeProvider clock = new();
    private readonly VerificationNotifier notifier;
    private readonly List<VerificationUpdate> updates = [];
    private readonly string watchId = VerificationNotifier.NewWatchId();
    private readonly Guid integrationId = Guid.NewGuid();

    public VerificationNotifierTests()
    {
        notifier = new VerificationNotifier(clock, NullLogger<VerificationNotifier>.Instance);
        notifier.Changed += updates.Add;
    }

    private static SignInOutcome Success() => new()
    {
        IntegrationName = "Acme Bitbucket",
        Purpose = AuthorizationPurpose.Verify,
        Identity = new ExternalUser(101, "ada", "ada", "Ada Lovelace", null, null),
    };

    [Fact]
    public void A_verification_reports_waiting_then_its_result_once()
    {
        var verification = Guid.NewGuid();
        notifier.Started(watchId, verification, integrationId, clock.GetUtcNow().AddMinutes(10));

        notifier.Completed(verification, Success());
        notifier.Completed(verification, SignInOutcome.Failure(SignInErrorKind.StateReplayed, SignInStep.State, "already used"));

        Assert.Equal([VerificationState.Waiting, VerificationState.Succeeded], updates.Select(u => u.State));
        Assert.All(updates, u => Assert.Equal((watchId, verification, integrationId), (u.WatchId, u.VerificationId, u.IntegrationId)));
        Assert.Equal(updates[0].StartedAt, updates[1].StartedAt);
        Assert.Equal(VerificationMessages.Succeeded(Success()), updates[1].Message);
        Assert.Equal(0, notifier.PendingCount);
    }

    [Fact]
    public void Sign_ins_and_unwatched_verifications_report_nothing()
    {
        var unwatched = Guid.NewGuid();
        notifier.Started(null, unwatched, integrationId, clock.GetUtcNow().AddMinutes(10));
        notifier.Started("not a watch id!", Guid.NewGuid(), integrationId, clock.GetUtcNow().AddMinutes(10));
        notifier.FailedToStart("x", integrationId, "refused");

        notifier.Completed(unwatched, Success());
        notifier.Completed(Guid.NewGuid(), Success());

        Assert.Empty(updates);
        Assert.Equal(0, notifier.PendingCount);
    }

    [Fact]
    public void A_verification_that_could_not_start_is_reported_as_failed_without_an_id()
    {
        notifier.FailedToStart(watchId, integrationId, "Verifying \"Acme Bitbucket\" failed at the authorize step: …");

        var update = Assert.Single(updates);
        Assert.Equal((VerificationState.Failed, Guid.Empty), (update.State, update.VerificationId));
        Assert.StartsWith("Verifying \"Acme Bitbucket\" failed", update.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Watches_of_expired_sign_ins_are_dropped()
    {
        var old = Guid.NewGuid();
        notifier.Started(watchId, old, integrationId, clock.GetUtcNow().AddMinutes(10));
        clock.Advance(TimeSpan.FromMinutes(11));

        notifier.Started(watchId, Guid.NewGuid(), integrationId, clock.GetUtcNow().AddMinutes(10));
        notifier.Completed(old, Success());

        Assert.Equal(1, notifier.PendingCount);
        Assert.DoesNotContain(updates, u => u.State == VerificationState.Succeeded);
    }

    [Fact]
    public void A_failing_watcher_does_not_stop_the_others()
    {
        var other = new VerificationNotifier(clock, NullLogger<VerificationNotifier>.Instance);
        var seen = new List<VerificationUpdate>();
        other.Changed += _ => throw new InvalidOperationException("circuit gone");
        other.Changed += seen.Add;

        other.Started(watchId, Guid.NewGuid(), integrationId, clock.GetUtcNow().AddMinutes(10));

        Assert.Single(seen);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("abc", false)]
    [InlineData("abcdefghijklmnop", true)]
    [InlineData("abcdefgh-ijklmn_op", true)]
    [InlineData("abcdefghijklmnop\"><b>", false)]
    public void Watch_ids_are_checked(string? value, bool valid)
    {
        Assert.Equal(valid, VerificationNotifier.IsWatchId(value));
        Assert.True(VerificationNotifier.IsWatchId(VerificationNotifier.NewWatchId()));
    }
}
