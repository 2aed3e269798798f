using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Persistence;
using Portal.Core.Setup;

namespace Portal.Benchmarks;

/// <summary>
/// The database work of one sign-in's state (store it, then check and consume it) and the Setup Mode check every admin
/// request makes, on a real SQLite file with the real migrations.
/// </summary>
[MemoryDiagnoser]
public class SignInStateBenchmarks
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"portal-bench-{Guid.NewGuid():N}.db");
    private Factory factory = null!;
    private PendingAuthorizationStore store = null!;
    private SetupModeService setupMode = null!;
    private readonly Guid integrationId = Guid.NewGuid();

    [GlobalSetup]
    public void Setup()
    {
        factory = new Factory($"Data Source={path}");
        using (var db = factory.CreateDbContext())
        {
            db.Database.Migrate();
            db.Integrations.Add(new Integration { Id = integrationId, Name = "Bench", BaseUrl = "https://b.example.com", ClientId = "x", ProtectedClientSecret = "x" });
            db.SaveChanges();
        }
        store = new PendingAuthorizationStore(factory, TimeProvider.System);
        setupMode = new SetupModeService(factory, TimeProvider.System, new Portal.Core.Audit.AuditLog(TimeProvider.System));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(path);
    }

    [Benchmark]
    public async Task<bool> StoreAndConsumeSignInState()
    {
        var state = Guid.NewGuid().ToString("N");
        var (_, correlation) = await store.CreateAsync(integrationId, state, AuthorizationPurpose.SignIn, "/", "protected", CancellationToken.None);
        var check = await store.ConsumeAsync(integrationId, state, [correlation], CancellationToken.None);
        return check.Failure is null;
    }

    [Benchmark]
    public Task<bool> SetupModeCheck() => setupMode.IsActiveAsync();

    private sealed class Factory(string connectionString) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => new(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(connectionString).Options);
    }
}
