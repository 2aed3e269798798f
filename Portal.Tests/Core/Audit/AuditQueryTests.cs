using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Audit;

/// <summary>The audit page's reads: newest first, paged, filtered by kind, integration and person; administrators only.</summary>
public sealed class AuditQueryTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private readonly DateTimeOffset start = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly Guid acme = Guid.NewGuid();
    private readonly Guid globex = Guid.NewGuid();
    private readonly Guid grace = Guid.NewGuid();
    private ServiceProvider services = null!;
    private Actor ada = null!;
    private Guid adaId;

    public async Task InitializeAsync()
    {
        var collection = new ServiceCollection();
        database.Register(collection);
        services = collection.AddTestAuthorization().BuildServiceProvider();
        var (user, actor) = await services.PersonAsync("Ada Lovelace", isAdministrator: true);
        (ada, adaId) = (actor, user.Id);
        await using var db = database.CreateContext();
        // 60 entries, a minute apart: sign-ins alternating between two integrations, and a role grant for Grace every tenth.
        for (var i = 0; i < 60; i++)
        {
            db.AuditEntries.Add(i % 10 == 9
                ? new AuditEntry { OccurredAt = start.AddMinutes(i), Kind = AuditKind.AdministratorGranted, ActorKind = AuditActorKind.Person, ActorUserId = adaId,
                    ActorName = "Ada Lovelace", SubjectUserId = grace, SubjectName = "Grace Hopper", Details = $"#{i}" }
                : new AuditEntry { OccurredAt = start.AddMinutes(i), Kind = AuditKind.SignInSucceeded, ActorKind = AuditActorKind.Person, ActorUserId = grace,
                    ActorName = "Grace Hopper", IntegrationId = i % 2 == 0 ? acme : globex, IntegrationName = i % 2 == 0 ? "Acme" : "Globex", Details = $"#{i}" });
        }
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        database.Dispose();
    }

    private AuditQuery Query => services.GetRequiredService<AuditQuery>();

    private static List<int> Numbers(AuditPage page) => page.Entries.Select(e => int.Parse(e.Details![1..], System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [Fact]
    public async Task Pages_are_newest_first_and_count_every_entry()
    {
        var first = (await Query.ListAsync(ada, new AuditFilter(), 0, 25)).Value;
        var last = (await Query.ListAsync(ada, new AuditFilter(), 50, 25)).Value;

        Assert.Equal(60, first.TotalCount);
        Assert.Equal(Enumerable.Range(35, 25).Reverse(), Numbers(first));
        Assert.Equal(Enumerable.Range(0, 10).Reverse(), Numbers(last));
    }

    [Fact]
    public async Task A_page_is_never_larger_than_the_maximum()
    {
        await using (var db = database.CreateContext())
        {
            db.AuditEntries.AddRange(Enumerable.Range(60, 50).Select(i => new AuditEntry
            {
                OccurredAt = start.AddMinutes(i), Kind = AuditKind.SignInFailed, ActorKind = AuditActorKind.Anonymous, ActorName = AuditLog.AnonymousName, Details = $"#{i}",
            }));
            await db.SaveChangesAsync();
        }

        var page = (await Query.ListAsync(ada, new AuditFilter(), 0, 10_000)).Value;

        Assert.Equal(110, page.TotalCount);
        Assert.Equal(AuditQuery.MaxPageSize, page.Entries.Count);
    }

    [Fact]
    public async Task Filters_by_kind_integration_and_person_combine()
    {
        var grants = (await Query.ListAsync(ada, new AuditFilter(Kind: AuditKind.AdministratorGranted), 0, 25)).Value;
        var acmeOnly = (await Query.ListAsync(ada, new AuditFilter(IntegrationId: acme), 0, 100)).Value;
        var graceAtGlobex = (await Query.ListAsync(ada, new AuditFilter(IntegrationId: globex, PersonId: grace), 0, 100)).Value;
        var adaGrants = (await Query.ListAsync(ada, new AuditFilter(Kind: AuditKind.AdministratorGranted, PersonId: adaId), 0, 100)).Value;

        Assert.Equal([59, 49, 39, 29, 19, 9], Numbers(grants));
        Assert.Equal(30, acmeOnly.TotalCount);
        Assert.All(acmeOnly.Entries, e => Assert.Equal("Acme", e.IntegrationName));
        // Grace signed in through Globex at every odd minute except the role grants.
        Assert.Equal(24, graceAtGlobex.TotalCount);
        Assert.Equal(6, adaGrants.TotalCount);
    }

    [Fact]
    public async Task A_person_filter_finds_what_was_done_to_them_as_well_as_by_them()
    {
        var graceAll = (await Query.ListAsync(ada, new AuditFilter(PersonId: grace), 0, 100)).Value;

        Assert.Equal(60, graceAll.TotalCount);
    }

    [Fact]
    public async Task The_filter_choices_name_integrations_and_people_in_the_log()
    {
        var (integrations, people) = (await Query.ListFilterChoicesAsync(ada)).Value;

        // Neither integration exists any more, so the log's names are marked deleted.
        Assert.Equal(["Acme (deleted)", "Globex (deleted)"], integrations.Select(i => i.Name));
        Assert.Equal([("Ada Lovelace", adaId), ("Grace Hopper (removed)", grace)], people.Select(p => (p.Name, p.Id)));
    }

    [Fact]
    public async Task Someone_who_is_not_an_administrator_cannot_read_the_log()
    {
        var (_, bob) = await services.PersonAsync("Bob", isAdministrator: false);

        var page = await Query.ListAsync(bob, new AuditFilter(), 0, 25);

        Assert.Equal(AccessRefusalReason.NotAdministrator, page.Refusal?.Reason);
        Assert.Equal(AccessRefusalReason.NotSignedIn, (await Query.ListFilterChoicesAsync(Actor.Anonymous)).Refusal?.Reason);
    }
}
