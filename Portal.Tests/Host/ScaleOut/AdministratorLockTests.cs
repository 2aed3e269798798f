using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Core.Persistence;
using Portal.Core.Sessions;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host.ScaleOut;

/// <summary>
/// On PostgreSQL two transactions that each count the administrators see the same count (read committed), so the
/// checks that keep one administrator must run one at a time. The test holds the lock itself, lets both revokes queue
/// behind it, then releases it: without the lock both would have gone through at once.
/// </summary>
[Trait("Database", "PostgreSQL")]
public sealed class AdministratorLockTests : IAsyncLifetime
{
    private readonly string databaseKey = TestPaths.NewDatabasePath();
    private PortalHost host = null!;

    private string ConnectionString => PostgreSqlCluster.Shared.DatabaseFor(databaseKey);

    public Task InitializeAsync()
    {
        host = new PortalHost(databaseKey, new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSQL",
            ["Database:ConnectionString"] = ConnectionString,
            ["Status:Enabled"] = "false",
        });
        host.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        PostgreSqlCluster.Shared.Drop(ConnectionString);
    }

    [Fact]
    public async Task Two_administrators_revoking_each_other_at_once_leave_one_administrator()
    {
        var (ada, grace) = (await AddAdministratorAsync("Ada Lovelace"), await AddAdministratorAsync("Grace Hopper"));
        var sessions = host.Services.GetRequiredService<SessionService>();
        var adaActor = new Actor(await sessions.StartUserSessionAsync(ada, Guid.NewGuid()));
        var graceActor = new Actor(await sessions.StartUserSessionAsync(grace, Guid.NewGuid()));
        var roles = host.Services.GetRequiredService<AdministratorRoles>();

        await using var holder = new NpgsqlConnection(ConnectionString);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({(long)DatabaseLock.Administrators})", holder))
        {
            await take.ExecuteScalarAsync();
        }
        var revokes = new[] { roles.SetAsync(adaActor, grace, isAdministrator: false), roles.SetAsync(graceActor, ada, isAdministrator: false) };
        await WaitForAsync(async () => await WaitingForTheLockAsync() == 2 || revokes.All(r => r.IsCompleted));
        Assert.False(revokes.Any(r => r.IsCompleted), "A revoke went through while another transaction held the administrators' lock.");
        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({(long)DatabaseLock.Administrators})", holder))
        {
            await release.ExecuteScalarAsync();
        }
        var results = await Task.WhenAll(revokes);

        Assert.Single(results, r => r.Succeeded && r.Value == RoleChange.Changed);
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.Users.CountAsync(u => u.IsAdministrator));
    }

    private async Task<Guid> AddAdministratorAsync(string name)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var user = new PortalUser { DisplayName = name, IsAdministrator = true, CreatedAt = DateTimeOffset.UtcNow };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        await host.Services.GiveWayInAsync(user.Id);
        return user.Id;
    }

    private async Task<int> WaitingForTheLockAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", connection);
        return Convert.ToInt32(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "Neither revoke queued for the lock nor finished within 30 s.");
            await Task.Delay(20);
        }
    }
}
