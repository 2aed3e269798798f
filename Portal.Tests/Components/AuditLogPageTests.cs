using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Features.Audit;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components;

public sealed class AuditLogPageTests : MudTestBase
{
    private readonly TestDatabase database = new();
    private readonly Guid integrationId = Guid.NewGuid();
    private readonly Guid graceId = Guid.NewGuid();
    private readonly UnreadableTableInterceptor unreadable = new("AuditEntries");
    private readonly UnreadableTableInterceptor unreadableIntegrations = new("Integrations");

    protected override void ConfigureServices(IServiceCollection services)
    {
        database.Register(services, interceptors: [unreadable, unreadableIntegrations]);
        services.AddSingleton(TimeProvider.System);
        services.AddTestAuthorization();
    }

    public override async Task InitializeAsync()
    {
        await using var db = database.CreateContext();
        db.AuditEntries.Add(new AuditEntry
        {
            OccurredAt = DateTimeOffset.UtcNow, Kind = AuditKind.SignInSucceeded, ActorKind = AuditActorKind.Person, ActorUserId = graceId,
            ActorName = "Grace Hopper", IntegrationId = integrationId, IntegrationName = "Acme Bitbucket", ClientAddress = "198.51.100.7",
            Details = "Signed in as Bitbucket user grace.",
        });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_name_in_a_row_links_to_the_list_narrowed_to_it_keeping_the_chosen_kind()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        Auth.SignInAs(ada);
        Ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("/audit?kind=SignInSucceeded");

        var cut = Ctx.Render<AuditLogPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=audit-table] tbody tr")));
        var row = cut.Find("[data-testid=audit-table] tbody tr");
        Assert.Contains("198.51.100.7", row.TextContent, StringComparison.Ordinal);
        var links = row.QuerySelectorAll("a").ToDictionary(a => a.TextContent.Trim(), a => a.GetAttribute("href"));
        Assert.Equal($"/audit?kind=SignInSucceeded&person={graceId}", links["Grace Hopper"]);
        Assert.Equal($"/audit?kind=SignInSucceeded&integration={integrationId}", links["Acme Bitbucket"]);
        Assert.Equal("/audit", cut.Find("[data-testid=clear-filters]").GetAttribute("href"));
    }

    [Fact]
    public async Task A_log_that_cannot_be_read_says_so_instead_of_nothing_recorded_and_can_be_read_again()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        Auth.SignInAs(ada);
        unreadable.Failing = true;

        var cut = Ctx.Render<AuditLogPage>();

        cut.WaitForAssertion(() => Assert.Contains("The audit log could not be read: The portal could not read or write its database file (a disk or file-system error). Check the disk",
            cut.Find("[data-testid=audit-load-failed]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=no-entries]"));
        // The page says it once, in its own words for a read, not again in snackbars.
        Assert.Empty(Ctx.Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars);

        unreadable.Failing = false;
        cut.Find("[data-testid=audit-load-failed] button").Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=audit-table] tbody tr")));
        Assert.Empty(cut.FindAll("[data-testid=audit-load-failed]"));
    }

    [Fact]
    public async Task When_only_the_filter_lists_cannot_be_read_the_entries_are_shown_with_a_warning()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        Auth.SignInAs(ada);
        unreadableIntegrations.Failing = true;

        var cut = Ctx.Render<AuditLogPage>();

        cut.WaitForAssertion(() => Assert.Contains("The lists of integrations and people to filter by could not be read: The portal could not read or write its database file",
            cut.Find("[data-testid=audit-filters-failed]").TextContent, StringComparison.Ordinal));
        Assert.Single(cut.FindAll("[data-testid=audit-table] tbody tr"));
        Assert.Empty(cut.FindAll("[data-testid=audit-load-failed]"));
        Assert.Empty(Ctx.Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars);
    }

    [Fact]
    public async Task A_page_number_too_large_to_count_to_says_it_is_past_the_end()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        Auth.SignInAs(ada);
        Ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("/audit?page=3000000000");

        var cut = Ctx.Render<AuditLogPage>();

        cut.WaitForAssertion(() => Assert.Contains("There is no page 3000000000: the log has 1 entry, on 1 page.", cut.Find("[data-testid=audit-past-end]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=audit-table] tbody tr"));
    }

    [Fact]
    public async Task A_filter_that_matches_nothing_says_so()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        Auth.SignInAs(ada);
        Ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("/audit?kind=IntegrationDeleted");

        var cut = Ctx.Render<AuditLogPage>();

        cut.WaitForAssertion(() => Assert.Equal("No entries match these filters.", cut.Find("[data-testid=no-entries]").TextContent.Trim()));
        // Heard as well as seen: the live region was there before the filter's result arrived.
        Assert.Equal("No entries match these filters.", cut.Find("[role=status][data-testid=audit-announcement]").TextContent);
    }

    [Fact]
    public async Task A_link_to_a_page_past_the_end_says_so_and_links_to_the_last_page()
    {
        var (_, ada) = await Ctx.Services.PersonAsync("Ada Lovelace", isAdministrator: true);
        Auth.SignInAs(ada);
        Ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("/audit?page=3");

        var cut = Ctx.Render<AuditLogPage>();

        cut.WaitForAssertion(() => Assert.Contains("There is no page 3: the log has 1 entry, on 1 page.", cut.Find("[data-testid=audit-past-end]").TextContent, StringComparison.Ordinal));
        Assert.Equal("There is no page 3.", cut.Find("[role=status][data-testid=audit-announcement]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=audit-range]"));
        Assert.Contains(cut.FindAll("[data-testid=audit-past-end] a"), a => a.TextContent == "Go to the last page" && a.GetAttribute("href") == "/audit");
    }

    [Fact]
    public async Task A_page_opened_by_someone_who_lost_the_role_shows_why_and_no_entries()
    {
        var (_, bob) = await Ctx.Services.PersonAsync("Bob", isAdministrator: false);
        Auth.SignInAs(bob, "Bob");

        var cut = Ctx.Render<AuditLogPage>();

        cut.WaitForAssertion(() => Assert.Contains("You are no longer an administrator", cut.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain("198.51.100.7", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=audit-table]"));
    }
}
