using System.Data.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

/// <summary>
/// Actions that change who may administer ask the gate again once they hold the administrators' lock: a revoke that
/// commits after the first check and before the action's transaction refuses the action.
/// </summary>
public sealed class AuthorizationUnderLockTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private readonly BeforeTransaction beforeTransaction = new();
    private ServiceProvider services = null!;

    public Task InitializeAsync()
    {
        var collection = new ServiceCollection();
        database.Register(collection, interceptors: beforeTransaction);
        collection.AddSingleton(new SecretProtector(new EphemeralDataProtectionProvider()));
        collection.AddIntegrationManagement();
        services = collection.AddTestAuthorization().BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        database.Dispose();
    }

    [Fact]
    public async Task A_grant_by_someone_revoked_just_before_it_runs_is_refused_and_changes_nothing()
    {
        var (ada, _) = await services.PersonAsync("Ada", isAdministrator: true);
        var (_, bob) = await services.PersonAsync("Bob", isAdministrator: true);
        var (carol, _) = await services.PersonAsync("Carol", isAdministrator: false);
        var bobId = (await QueryAsync(db => db.Sessions.SingleAsync(s => s.Id == bob.SessionId))).UserId!.Value;
        // Ada revokes Bob after the gate let Bob's grant through and before its transaction begins.
        beforeTransaction.Once = async () =>
        {
            await using var db = database.CreateContext();
            await db.Users.Where(u => u.Id == bobId).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsAdministrator, false));
        };

        var result = await services.GetRequiredService<AdministratorRoles>().SetAsync(bob, carol.Id, isAdministrator: true);

        Assert.Equal(AccessRefusalReason.NotAdministrator, result.Refusal?.Reason);
        Assert.False(await QueryAsync(db => db.Users.Where(u => u.Id == carol.Id).Select(u => u.IsAdministrator).SingleAsync()));
        Assert.Empty(await QueryAsync(db => db.AuditEntries.ToListAsync()));
        Assert.True(await QueryAsync(db => db.Users.Where(u => u.Id == ada.Id).Select(u => u.IsAdministrator).SingleAsync()));
    }

    private async Task<T> QueryAsync<T>(Func<Portal.Core.Persistence.PortalDbContext, Task<T>> query)
    {
        await using var db = database.CreateContext();
        return await query(db);
    }

    /// <summary>Runs <see cref="Once"/> once, just before the next transaction begins.</summary>
    private sealed class BeforeTransaction : DbTransactionInterceptor
    {
        private Func<Task>? once;

        public Func<Task>? Once { set => once = value; }

        public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
            InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref once, null) is { } run)
            {
                await run();
            }
            return result;
        }
    }
}
