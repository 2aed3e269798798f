using System.Security.Claims;
using Bunit;
using Portal.Web;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Authorization;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components;

public sealed class AdminAccessTests : MudTestBase
{
    private readonly TestDatabase database = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        database.Register(services);
        services.AddTestAuthorization();
    }

    private IRenderedComponent<AdminAccess> Render() => Ctx.Render<AdminAccess>(p => p
        .Add(a => a.Heading, "Integration")
        .Add(a => a.ChildContent, (RenderFragment)(b => b.AddMarkupContent(0, "<h1>Acme Bitbucket</h1>"))));

    [Fact]
    public async Task Without_access_a_page_whose_heading_is_in_the_admin_part_keeps_a_heading()
    {
        var (_, someone) = await Ctx.Services.PersonAsync("Grace Hopper", isAdministrator: false);
        Auth.SetAuthorized("Grace Hopper");
        Auth.SetClaims(new Claim(PortalClaims.Session, someone.SessionId!.Value.ToString()));

        var cut = Render();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=access-lost]")));
        Assert.Equal(["Integration"], cut.FindAll("h1").Select(h => h.TextContent.Trim()));
    }

    [Fact]
    public async Task With_access_the_page_s_own_heading_is_the_only_one()
    {
        Auth.SignInAs(await Ctx.Services.AdministratorAsync());

        var cut = Render();

        cut.WaitForAssertion(() => Assert.Equal(["Acme Bitbucket"], cut.FindAll("h1").Select(h => h.TextContent.Trim())));
    }
}

/// <summary>The administrator check itself reads the database (AdministratorGate); here it fails as a lost database would.</summary>
public sealed class AdminAccessOverAFailingDatabaseTests : MudTestBase
{
    protected override void ReplaceServices(IServiceCollection services) =>
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationService>(new FailingAuthorization());

    [Fact]
    public void A_database_that_fails_when_the_live_page_checks_access_becomes_a_message_under_the_page_s_heading()
    {
        Auth.SetAuthorized("Ada Lovelace");

        var cut = Ctx.Render<AdminAccess>(p => p
            .Add(a => a.Heading, "Integration")
            .Add(a => a.ChildContent, (RenderFragment)(b => b.AddMarkupContent(0, "<p>admin controls</p>"))));

        cut.WaitForAssertion(() => Assert.Contains("The portal could not read or write its database file", cut.Find("[data-testid=database-read-failure]").TextContent, StringComparison.Ordinal));
        Assert.Equal(["Integration"], cut.FindAll("h1").Select(h => h.TextContent.Trim()));
        Assert.DoesNotContain("admin controls", cut.Markup, StringComparison.Ordinal);
    }

    private sealed class FailingAuthorization : Microsoft.AspNetCore.Authorization.IAuthorizationService
    {
        public Task<Microsoft.AspNetCore.Authorization.AuthorizationResult> AuthorizeAsync(ClaimsPrincipal user, object? resource, IEnumerable<Microsoft.AspNetCore.Authorization.IAuthorizationRequirement> requirements) =>
            throw new Microsoft.Data.Sqlite.SqliteException("disk I/O error", 10);

        public Task<Microsoft.AspNetCore.Authorization.AuthorizationResult> AuthorizeAsync(ClaimsPrincipal user, object? resource, string policyName) =>
            throw new Microsoft.Data.Sqlite.SqliteException("disk I/O error", 10);
    }
}
