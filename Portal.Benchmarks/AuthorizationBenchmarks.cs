using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Core.Configuration;
using Portal.Core.Persistence;
using Portal.Core.Sessions;

namespace Portal.Benchmarks;

/// <summary>
/// What authorization at the moment of action costs, on a real SQLite file: the session check every request with a
/// cookie makes, and the administrator check every admin action (and every open page's revalidation) makes.
/// </summary>
[MemoryDiagnoser]
public class AuthorizationBenchmarks
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"portal-bench-{Guid.NewGuid():N}.db");
    private SessionService sessions = null!;
    private AdministratorGate gate = null!;
    private AdminActions actions = null!;
    private Actor administrator = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var factory = new Factory($"Data Source={path}");
        var user = new PortalUser { DisplayName = "Ada", IsAdministrator = true };
        await using (var db = factory.CreateDbContext())
        {
            await db.Database.MigrateAsync();
            db.Users.Add(user);
            await db.SaveChangesAsync();
        }
        sessions = new SessionService(factory, TimeProvider.System, Options.Create(new PortalSessionOptions()), Options.Create(new SetupOptions()));
        gate = new AdministratorGate(factory, sessions, Options.Create(new SetupOptions()), Options.Create(new PortalSessionOptions()));
        actions = new AdminActions(gate, NullLogger<AdminActions>.Instance);
        administrator = new Actor(await sessions.StartUserSessionAsync(user.Id, Guid.NewGuid()));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(path);
    }

    [Benchmark]
    public async Task<bool> SessionCheckPerRequest() => (await sessions.CheckAsync(administrator.SessionId!.Value)).IsActive;

    [Benchmark]
    public async Task<bool> AdministratorCheckPerAction() => await gate.CheckAsync(administrator) is null;

    [Benchmark]
    public async Task<bool> AuthorizedNoOpAction() => (await actions.RunAsync(administrator, _ => Task.FromResult(true))).Succeeded;

    private sealed class Factory(string connectionString) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => new(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(connectionString).Options);
    }
}
