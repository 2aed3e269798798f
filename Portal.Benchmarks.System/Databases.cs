using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Integrations;
using Portal.Core.Persistence;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;

namespace Portal.Benchmarks.SystemLevel;

/// <summary>SQLite files prepared once per run through Portal.Core itself (migrations, Data Protection keys, encrypted secrets).</summary>
public sealed class Databases(string directory)
{
    public string KeyFile => Path.Combine(directory, "data-protection.pfx");

    public string Empty => Path.Combine(directory, "empty.db");

    public string SignIn => Path.Combine(directory, "signin.db");

    public string Fleet => Path.Combine(directory, "fleet.db");

    /// <summary>Ten integrations: what the pages measured for memory per circuit show.</summary>
    public string Ten => Path.Combine(directory, "ten.db");

    public static readonly Guid SignInIntegrationId = Guid.Parse("5d2f3c51-55a4-4a39-9b7e-1b0a7e6d0001");
    public const string ClientId = "0123456789abcdef0123456789abcdef";
    public const string ClientSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// <summary>Settings every measured server gets for <paramref name="database"/>.</summary>
    public Dictionary<string, string> SettingsFor(string database, string publicUrl) => new()
    {
        ["Portal:PublicUrl"] = publicUrl,
        ["Database:Provider"] = "Sqlite",
        ["Database:ConnectionString"] = $"Data Source={database}",
        ["DataProtection:CertificatePath"] = KeyFile,
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Portal.Setup"] = "Information",
    };

    public async Task PrepareAsync(string bitbucketBaseUrl, int fleetSize)
    {
        await CreateAsync(Empty, (_, _) => Task.CompletedTask);
        await CreateAsync(SignIn, async (db, protector) =>
        {
            db.Integrations.Add(NewIntegration(SignInIntegrationId, "Acme Bitbucket", bitbucketBaseUrl, protector));
            await db.SaveChangesAsync();
        });
        await CreateFleetAsync(Ten, 10, bitbucketBaseUrl);
        await CreateFleetAsync(Fleet, fleetSize, bitbucketBaseUrl);
    }

    private async Task CreateFleetAsync(string path, int size, string bitbucketBaseUrl)
    {
        await CreateAsync(path, async (db, protector) =>
        {
            for (var i = 0; i < size; i++)
            {
                db.Integrations.Add(NewIntegration(Guid.NewGuid(), $"Bitbucket {i:0000}", bitbucketBaseUrl, protector));
            }
            await db.SaveChangesAsync();
        });
    }

    /// <summary>A copy of <paramref name="database"/> for one server, so no measurement sees another's rows.</summary>
    /// <param name="keepIntegrations">Keeps only this many of its integrations (the first by name).</param>
    public string CopyOf(string database, string name, int? keepIntegrations = null)
    {
        var copy = Path.Combine(directory, name + ".db");
        File.Copy(database, copy, overwrite: true);
        if (keepIntegrations is { } keep)
        {
            using var connection = new SqliteConnection($"Data Source={copy};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"DELETE FROM Integrations WHERE Id NOT IN (SELECT Id FROM Integrations ORDER BY Name LIMIT {keep})";
            command.ExecuteNonQuery();
        }
        return copy;
    }

    private static Integration NewIntegration(Guid id, string name, string baseUrl, SecretProtector protector) => new()
    {
        Id = id,
        Name = name,
        Platform = BitbucketServerPlatform.KindOf.Key,
        BaseUrl = baseUrl,
        ServerVersion = "8.9.1",
        OAuthVersion = OAuthVersion.OAuth2,
        ClientId = ClientId,
        ProtectedClientSecret = protector.Protect(SecretPurpose.ClientSecret, ClientSecret),
        Enabled = true,
        Verification = IntegrationVerification.Verified,
        CreatedAt = DateTimeOffset.UtcNow,
        VerifiedAt = DateTimeOffset.UtcNow,
    };

    private async Task CreateAsync(string path, Func<PortalDbContext, SecretProtector, Task> seed)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = directory });
        builder.Configuration.AddInMemoryCollection(SettingsFor(path, "http://127.0.0.1:1").ToDictionary(p => p.Key, p => (string?)p.Value));
        builder.Services.AddLogging();
        builder.Services.AddPortalCore(directory);
        using var host = builder.Build();
        await host.Services.PreparePortalAsync();
        await using var scope = host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        await seed(db, scope.ServiceProvider.GetRequiredService<SecretProtector>());
        SqliteConnection.ClearAllPools();
    }
}
