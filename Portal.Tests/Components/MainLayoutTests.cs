using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Layout;
using Portal.Core.Accounts;
using Portal.Core.Setup;
using Portal.Tests.Infrastructure;
using Portal.Web;

namespace Portal.Tests.Components;

public sealed class MainLayoutTests : MudTestBase
{
    private readonly TestDatabase database = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        database.Register(services);
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<SetupModeService>();
        services.AddSingleton<Portal.Core.Audit.AuditLog>();
    }

    private IRenderedComponent<MainLayout> RenderLayout() =>
        Ctx.Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "the page"))));

    [Fact]
    public void The_setup_mode_banner_shows_while_no_administrator_exists()
    {
        var layout = RenderLayout();

        layout.WaitForAssertion(() => Assert.Contains("Setup Mode", layout.Find("[data-testid=setup-mode-banner]").TextContent, StringComparison.Ordinal));
        Assert.Contains("the page", layout.Markup, StringComparison.Ordinal);
        Assert.Contains("Integration Portal", layout.Find("header").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recovery_says_so_instead_of_claiming_that_no_administrator_exists()
    {
        await using (var db = database.CreateContext())
        {
            db.Users.Add(new PortalUser { DisplayName = "Ada", IsAdministrator = true });
            await db.SaveChangesAsync();
        }
        await Ctx.Services.GetRequiredService<SetupModeService>().ReenterAsync();

        var layout = RenderLayout();

        layout.WaitForAssertion(() => Assert.Contains("(recovery)", layout.Find("[data-testid=setup-mode-banner]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("no administrator exists", layout.Find("[data-testid=setup-mode-banner]").TextContent, StringComparison.Ordinal);
        // The page inside hears it too (the sign-in and account pages word their notes by it), also after the layout's first render.
        var withPage = Ctx.Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b =>
        {
            b.OpenComponent<SetupModeReasonProbe>(0);
            b.CloseComponent();
        })));
        withPage.WaitForAssertion(() => Assert.Contains("reason: Recovery", withPage.Markup, StringComparison.Ordinal));
    }

    private sealed class SetupModeReasonProbe : ComponentBase
    {
        [CascadingParameter(Name = "SetupModeReason")] public SetupModeReason Reason { get; set; }

        protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder) => builder.AddContent(0, $"reason: {Reason}");
    }

    [Fact]
    public async Task The_banner_is_gone_once_an_administrator_exists()
    {
        await using (var db = database.CreateContext())
        {
            db.Users.Add(new PortalUser { DisplayName = "Ada", IsAdministrator = true });
            await db.SaveChangesAsync();
        }
        var layout = RenderLayout();

        layout.WaitForAssertion(() => Assert.Contains("the page", layout.Markup, StringComparison.Ordinal));
        Assert.Empty(layout.FindAll("[data-testid=setup-mode-banner]"));
    }

    [Fact]
    public void Administrators_see_the_navigation_and_their_name()
    {
        Auth.SetAuthorized("Ada Lovelace");
        Auth.SetPolicies(PortalPolicies.Administrator);

        var layout = RenderLayout();

        layout.WaitForAssertion(() => Assert.Equal("Ada Lovelace", layout.Find("[data-testid=current-user]").TextContent.Trim()));
        var links = layout.FindAll("nav[aria-label=Main] a").Select(a => a.TextContent.Trim()).ToList();
        Assert.Contains("Integrations", links);
        Assert.Contains("Status", links);
        Assert.Contains("Audit log", links);
    }

    [Fact]
    public void Anonymous_visitors_see_no_admin_navigation()
    {
        var layout = RenderLayout();

        layout.WaitForAssertion(() => Assert.Contains("the page", layout.Markup, StringComparison.Ordinal));
        Assert.Empty(layout.FindAll("nav[aria-label=Main] a"));
        Assert.Empty(layout.FindAll("[data-testid=current-user]"));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        database.Dispose();
    }
}
