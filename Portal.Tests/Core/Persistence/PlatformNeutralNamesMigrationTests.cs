using Portal.Core.Platforms;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Portal.Core.Persistence;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Persistence;

/// <summary>The platform-neutral names arrive by renaming columns, so a database written before keeps its data.</summary>
public sealed class PlatformNeutralNamesMigrationTests : IDisposable
{
    private readonly string _path = TestPaths.NewDatabasePath();

    [Fact]
    public async Task Versions_and_user_ids_stored_under_the_old_names_are_read_under_the_new_ones()
    {
        var integrationId = Guid.NewGuid();
        await using (var before = CreateContext())
        {
            await before.GetService<IMigrator>().MigrateAsync("SecondDay");
            await using var connection = new SqliteConnection($"Data Source={_path}");
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO Integrations (Id, Name, Platform, BaseUrl, BitbucketVersion, OAuthVersion, ClientId, ProtectedClientSecret, Enabled, Verification, CreatedAt)
                VALUES ($id, 'Acme', 'bitbucket-server', 'https://git.example.com', '8.9.1', 2, 'client', 'x', 1, 0, 0);
                INSERT INTO Users (Id, DisplayName, IsAdministrator, CreatedAt) VALUES ($user, 'Ada', 0, 0);
                INSERT INTO ExternalIdentities (Id, UserId, IntegrationId, BitbucketUserId, Username, Slug, CreatedAt, LastSignInAt)
                VALUES ($identity, $user, $id, 4711, 'ada', 'ada', 0, 0);
                """;
            insert.Parameters.AddWithValue("$id", integrationId.ToString().ToUpperInvariant());
            insert.Parameters.AddWithValue("$user", Guid.NewGuid().ToString().ToUpperInvariant());
            insert.Parameters.AddWithValue("$identity", Guid.NewGuid().ToString().ToUpperInvariant());
            await insert.ExecuteNonQueryAsync();
        }

        await using var after = CreateContext();
        await after.Database.MigrateAsync();

        var integration = await after.Integrations.SingleAsync();
        Assert.Equal("8.9.1", integration.ServerVersion);
        Assert.Equal(4711, (await after.ExternalIdentities.SingleAsync()).ExternalUserId);
    }

    private PortalDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={_path}").Options);

    public void Dispose() => TestPaths.DeleteDatabase(_path);
}
