using Bunit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Core.Accounts;
using Portal.Core.Security;
using Portal.Features.Account;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components;

public sealed class PeopleTests : MudTestBase
{
    private readonly TestDatabase database = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        database.Register(services);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new SecretProtector(new EphemeralDataProtectionProvider()));
        services.AddScoped<AccountService>();
    }

    [Fact]
    public async Task Revoking_the_last_administrator_is_refused_with_a_message_and_the_switch_stays_on()
    {
        await using (var db = database.CreateContext())
        {
            db.Users.Add(new PortalUser { DisplayName = "Ada Lovelace", Email = "ada@example.com", IsAdministrator = true });
            db.Users.Add(new PortalUser { DisplayName = "Grace Hopper", IsAdministrator = false });
            await db.SaveChangesAsync();
        }
        var snackbars = Ctx.Render<MudSnackbarProvider>();
        var cut = Ctx.Render<People>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        cut.Find("input[aria-label='Administrator: Ada Lovelace']").Change(false);

        snackbars.WaitForAssertion(() => Assert.Contains("last administrator", snackbars.Markup, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.True(cut.Find("input[aria-label='Administrator: Ada Lovelace']").HasAttribute("checked")));
    }

    [Fact]
    public async Task Granting_the_role_shows_who_is_now_an_administrator()
    {
        await using (var db = database.CreateContext())
        {
            db.Users.Add(new PortalUser { DisplayName = "Ada Lovelace", IsAdministrator = true });
            db.Users.Add(new PortalUser { DisplayName = "Grace Hopper", IsAdministrator = false });
            await db.SaveChangesAsync();
        }
        var snackbars = Ctx.Render<MudSnackbarProvider>();
        var cut = Ctx.Render<People>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tbody tr").Count));

        cut.Find("input[aria-label='Administrator: Grace Hopper']").Change(true);

        snackbars.WaitForAssertion(() => Assert.Contains("Grace Hopper is now an administrator", snackbars.Markup, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.True(cut.Find("input[aria-label='Administrator: Grace Hopper']").HasAttribute("checked")));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        database.Dispose();
    }
}
