using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

public sealed class AccountRoleTests : IDisposable
{
    private readonly TestDatabase database = new();

    private AccountService NewService() =>
        new(database.Factory, new SecretProtector(new EphemeralDataProtectionProvider()), TimeProvider.System);

    private async Task<Guid> AddUserAsync(string name, bool isAdministrator)
    {
        await using var db = database.CreateContext();
        var user = new PortalUser { DisplayName = name, IsAdministrator = isAdministrator };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    [Fact]
    public async Task An_administrator_can_grant_and_revoke_the_role()
    {
        await AddUserAsync("Ada", isAdministrator: true);
        var grace = await AddUserAsync("Grace", isAdministrator: false);

        Assert.Equal(RoleChange.Changed, await NewService().SetAdministratorAsync(grace, true));
        Assert.True(await NewService().IsAdministratorAsync(grace));
        Assert.Equal(RoleChange.Changed, await NewService().SetAdministratorAsync(grace, false));
        Assert.False(await NewService().IsAdministratorAsync(grace));
    }

    [Fact]
    public async Task The_last_administrator_cannot_be_revoked()
    {
        var ada = await AddUserAsync("Ada", isAdministrator: true);

        Assert.Equal(RoleChange.LastAdministrator, await NewService().SetAdministratorAsync(ada, false));
        Assert.True(await NewService().IsAdministratorAsync(ada));
    }

    [Fact]
    public async Task Two_administrators_revoking_each_other_at_once_leave_one()
    {
        var ada = await AddUserAsync("Ada", isAdministrator: true);
        var grace = await AddUserAsync("Grace", isAdministrator: true);

        var results = await Task.WhenAll(
            Task.Run(() => NewService().SetAdministratorAsync(ada, false)),
            Task.Run(() => NewService().SetAdministratorAsync(grace, false)));

        Assert.Single(results, r => r == RoleChange.Changed);
        await using var db = database.CreateContext();
        Assert.Equal(1, await db.Users.CountAsync(u => u.IsAdministrator));
    }

    [Fact]
    public async Task An_unknown_user_is_reported()
    {
        Assert.Equal(RoleChange.UserNotFound, await NewService().SetAdministratorAsync(Guid.NewGuid(), true));
    }

    public void Dispose() => database.Dispose();
}
