using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.Persistence;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Sessions;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host.Persistence;

/// <summary>
/// The sign-in path's hand-made statements write what SaveChanges would: every column, through the same value
/// converters, on the configured database (this class runs on SQLite and again on PostgreSQL).
/// </summary>
public sealed class DirectWritesHostTests : IAsyncLifetime
{
    private readonly PortalHost host = new(TestPaths.NewDatabasePath());
    private readonly Guid integrationId = Guid.NewGuid();
    // In the future, so the retention sweep of the running host never removes these rows as expired.
    private static readonly DateTimeOffset At = new(2099, 12, 2, 19, 30, 15, 123, TimeSpan.FromHours(1));

    public async Task InitializeAsync()
    {
        host.Start();
        await using var db = await NewContextAsync();
        db.Integrations.Add(new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = integrationId, Name = "Acme", BaseUrl = "https://bitbucket.example.com", CreatedAt = At });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private Task<PortalDbContext> NewContextAsync() =>
        host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    [Fact]
    public async Task A_failure_message_longer_than_its_column_is_recorded_shortened_instead_of_failing_the_save()
    {
        // A certificate that names many hosts makes such a message; PostgreSQL refuses a value longer than the column.
        var message = "The server's certificate is for " + string.Join(", ", Enumerable.Range(1, 80).Select(i => $"host{i}.example.com")) + ".";
        Assert.True(message.Length > SignInEvent.MaxFailureReasonLength);
        var outcome = SignInOutcome.Failure(SignInErrorKind.ServerUnreachable, SignInStep.Token, message);

        await host.Services.GetRequiredService<SignInRecorder>().RecordAsync(integrationId, outcome, Portal.Core.Authorization.Actor.Anonymous, CancellationToken.None);

        await using var read = await NewContextAsync();
        var stored = await read.SignInEvents.AsNoTracking().SingleAsync(e => e.IntegrationId == integrationId);
        Assert.Equal(SignInEvent.MaxFailureReasonLength, stored.FailureReason!.Length);
        Assert.StartsWith("The server's certificate is for host1.example.com, host2.example.com", stored.FailureReason, StringComparison.Ordinal);
        Assert.EndsWith("…", stored.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directly_inserted_row_reads_back_with_every_value_as_written()
    {
        var pending = new PendingAuthorization
        {
            StateHash = "state-hash", CorrelationHash = "correlation-hash", IntegrationId = integrationId, Purpose = AuthorizationPurpose.Verify,
            CredentialReplacementId = Guid.NewGuid(), ProtectedSecret = "protected", ReturnUrl = "/integrations", CreatedAt = At, ExpiresAt = At.AddMinutes(10),
        };
        await using (var db = await NewContextAsync())
        {
            await DirectWrites.InsertAsync(db, pending, CancellationToken.None);
        }

        await using var read = await NewContextAsync();
        var stored = await read.PendingAuthorizations.AsNoTracking().SingleAsync(p => p.Id == pending.Id);
        Assert.Equivalent(pending, stored, strict: true);
        // Converted columns are compared by value too, which a mismatched converter would fail (the stored form orders correctly).
        Assert.Equal(1, await read.PendingAuthorizations.CountAsync(p => p.ExpiresAt > At && p.ConsumedAt == null));
    }

    [Fact]
    public async Task A_save_with_direct_rows_writes_them_after_the_tracked_changes_in_one_transaction_and_the_database_numbers_their_keys()
    {
        var user = new PortalUser { DisplayName = "Jane Doe", CreatedAt = At };
        var session = new PortalSession { Kind = SessionKind.User, UserId = user.Id, IntegrationId = integrationId, CreatedAt = At, ExpiresAt = At.AddDays(7) };
        await using (var db = await NewContextAsync())
        {
            db.Users.Add(user);
            db.Sessions.Add(session);
            db.SignInEvents.Add(new SignInEvent { IntegrationId = integrationId, OccurredAt = At, Succeeded = true });
            db.SignInEvents.Add(new SignInEvent { IntegrationId = integrationId, OccurredAt = At.AddSeconds(1), Succeeded = false, FailedStep = SignInStep.Token, FailureReason = "Refused." });
            db.AuditEntries.Add(new AuditEntry { OccurredAt = At, Kind = AuditKind.SignInSucceeded, ActorKind = AuditActorKind.Person, ActorUserId = user.Id, ActorName = "Jane Doe", IntegrationId = integrationId, IntegrationName = "Acme", Details = "Signed in." });
            // The session refers to the user that the same save adds: it is written after.
            await DirectWrites.SaveChangesAsync(db, [typeof(PortalSession), typeof(SignInEvent), typeof(AuditEntry)], CancellationToken.None);
        }

        await using var read = await NewContextAsync();
        Assert.Equivalent(session, await read.Sessions.AsNoTracking().SingleAsync(s => s.Id == session.Id), strict: true);
        var events = await read.SignInEvents.AsNoTracking().Where(e => e.IntegrationId == integrationId).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([true, false], events.Select(e => e.Succeeded));
        Assert.Equal(SignInStep.Token, events[1].FailedStep);
        Assert.True(events[0].Id > 0 && events[1].Id > events[0].Id);
        var entry = await read.AuditEntries.AsNoTracking().SingleAsync(e => e.IntegrationId == integrationId);
        Assert.Equal((AuditKind.SignInSucceeded, AuditActorKind.Person, user.Id, At), (entry.Kind, entry.ActorKind, entry.ActorUserId, entry.OccurredAt));
    }

    [Fact]
    public async Task A_direct_row_that_breaks_a_constraint_rolls_back_the_tracked_changes_of_the_same_save()
    {
        var user = new PortalUser { DisplayName = "Jane Doe", CreatedAt = At };
        await using (var db = await NewContextAsync())
        {
            db.Users.Add(user);
            // No such integration: the foreign key refuses the event.
            db.SignInEvents.Add(new SignInEvent { IntegrationId = Guid.NewGuid(), OccurredAt = At, Succeeded = true });
            await Assert.ThrowsAnyAsync<Exception>(() => DirectWrites.SaveChangesAsync(db, [typeof(SignInEvent)], CancellationToken.None));
        }

        await using var read = await NewContextAsync();
        Assert.False(await read.Users.AnyAsync(u => u.Id == user.Id));
    }
}
