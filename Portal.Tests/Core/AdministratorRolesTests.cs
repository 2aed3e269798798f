using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

public sealed class AdministratorRolesTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private ServiceProvider services = null!;

    public Task InitializeAsync()
    {
        var collection = new ServiceCollection();
        database.Register(collection);
        services = collection.AddTestAuthorization().BuildServiceProvider();
        return Task.CompletedTask;
    }

    private AdministratorRoles Roles => services.GetRequiredService<AdministratorRoles>();

    [Fact]
    public async Task An_administrator_can_grant_and_revoke_the_role()
    {
        var (_, ada) = await services.PersonAsync("Ada", isAdministrator: true, canSignIn: true);
        var (grace, _) = await services.PersonAsync("Grace", isAdministrator: false);

        Assert.Equal(RoleChange.Changed, (await Roles.SetAsync(ada, grace.Id, true)).Value);
        Assert.True(await IsAdministratorAsync(grace.Id));
        Assert.Equal(RoleChange.Changed, (await Roles.SetAsync(ada, grace.Id, false)).Value);
        Assert.False(await IsAdministratorAsync(grace.Id));
    }

    [Fact]
    public async Task The_last_administrator_cannot_be_revoked()
    {
        var (ada, actor) = await services.PersonAsync("Ada", isAdministrator: true);

        Assert.Equal(RoleChange.LastAdministrator, (await Roles.SetAsync(actor, ada.Id, false)).Value);
        Assert.True(await IsAdministratorAsync(ada.Id));
    }

    [Fact]
    public async Task Two_administrators_revoking_each_other_at_once_leave_one()
    {
        var (ada, adaActor) = await services.PersonAsync("Ada", isAdministrator: true, canSignIn: true);
        var (grace, graceActor) = await services.PersonAsync("Grace", isAdministrator: true, canSignIn: true);

        var results = await Task.WhenAll(
            Task.Run(() => Roles.SetAsync(graceActor, ada.Id, false)),
            Task.Run(() => Roles.SetAsync(adaActor, grace.Id, false)));

        // Either one revoke wins and the other is refused (its actor is no longer an administrator, or it would remove the last one).
        Assert.Single(results, r => r.Succeeded && r.Value == RoleChange.Changed);
        await using var db = database.CreateContext();
        Assert.Equal(1, await db.Users.CountAsync(u => u.IsAdministrator));
    }

    [Fact]
    public async Task An_administrator_is_not_revoked_while_no_other_administrator_can_sign_in()
    {
        // Grace is an administrator in name only: her integration was deleted, so she cannot sign in.
        var (ada, adaActor) = await services.PersonAsync("Ada", isAdministrator: true, canSignIn: true);
        var (grace, _) = await services.PersonAsync("Grace", isAdministrator: true);
        var (edsger, _) = await services.PersonAsync("Edsger", isAdministrator: true);

        Assert.Equal(RoleChange.NoOtherAdministratorCanSignIn, (await Roles.SetAsync(adaActor, ada.Id, false)).Value);
        Assert.True(await IsAdministratorAsync(ada.Id));
        // Revoking someone who cannot sign in either takes no way in away.
        Assert.Equal(RoleChange.Changed, (await Roles.SetAsync(adaActor, edsger.Id, false)).Value);
        Assert.True(await IsAdministratorAsync(grace.Id));

        var (_, _) = await services.PersonAsync("Linus", isAdministrator: true, canSignIn: true);
        Assert.Equal(RoleChange.Changed, (await Roles.SetAsync(adaActor, ada.Id, false)).Value);
    }

    [Fact]
    public async Task An_unknown_user_is_reported()
    {
        var (_, ada) = await services.PersonAsync("Ada", isAdministrator: true);

        Assert.Equal(RoleChange.UserNotFound, (await Roles.SetAsync(ada, Guid.NewGuid(), true)).Value);
    }

    [Fact]
    public async Task A_revoked_administrator_cannot_grant_the_role_back_to_themselves()
    {
        var (ada, adaActor) = await services.PersonAsync("Ada", isAdministrator: true);
        var (_, graceActor) = await services.PersonAsync("Grace", isAdministrator: true, canSignIn: true);
        Assert.True((await Roles.SetAsync(graceActor, ada.Id, false)).Succeeded);

        var regrant = await Roles.SetAsync(adaActor, ada.Id, true);

        Assert.Equal(AccessRefusalReason.NotAdministrator, regrant.Refusal?.Reason);
        Assert.Equal("You are no longer an administrator. Sign in again; if you should have the role, ask an administrator to grant it on People.", regrant.Refusal!.Message);
        Assert.False(await IsAdministratorAsync(ada.Id));
    }

    private async Task<bool> IsAdministratorAsync(Guid userId)
    {
        await using var db = database.CreateContext();
        return await db.Users.AnyAsync(u => u.Id == userId && u.IsAdministrator);
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        database.Dispose();
    }
}
