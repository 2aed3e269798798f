using Portal.Core.Platforms.BitbucketServer;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Core.Persistence;
using Portal.Core.Platforms;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// The Data Protection keys in the database are encrypted with the certificate of a key file kept apart from it, so a
/// copy of the database alone decrypts no secret and forges no cookie.
/// </summary>
// Reads the SQLite file's bytes and copies it as a backup would: PostgreSQL's side of key protection is in the scale-out tests.
[Trait("Database", "SqliteOnly")]
public sealed class KeyRingProtectionTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task A_first_start_creates_an_owner_only_key_file_says_to_back_it_up_and_logs_no_Data_Protection_warning()
    {
        var databasePath = TestPaths.NewDatabasePath();
        try
        {
            // A key file path of its own, so the portal creates the key file rather than finding the test run's shared one.
            var ownKeyFile = new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = TestPaths.KeyFilePath(databasePath) };
            string protectedValue;
            await using (var first = new PortalHost(databasePath, ownKeyFile))
            {
                first.Start();
                protectedValue = first.Services.GetRequiredService<SecretProtector>().Protect(SecretPurpose.ClientSecret, "s3cret-value");
                var keyFile = first.KeyFilePath;

                Assert.True(File.Exists(keyFile));
                if (!OperatingSystem.IsWindows()) // Windows has no file modes; the tests run on Linux
                {
                    Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(keyFile));
                    Assert.Equal(OwnerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(keyFile)!));
                }
                var created = Assert.Single(first.Logs.Entries, e => e.Message.StartsWith("Created the Data Protection key file", StringComparison.Ordinal));
                Assert.Equal(LogLevel.Warning, created.Level);
                Assert.Contains(keyFile, created.Message, StringComparison.Ordinal);
                Assert.Contains("back it up now, apart from the database backups", created.Message, StringComparison.Ordinal);
                AssertNoDataProtectionWarning(first);
            }

            await using var second = new PortalHost(databasePath, ownKeyFile);
            second.Start();
            Assert.Equal("s3cret-value", second.Services.GetRequiredService<SecretProtector>().TryUnprotect(SecretPurpose.ClientSecret, protectedValue));
            Assert.DoesNotContain(second.Logs.Entries, e => e.Message.Contains("Created the Data Protection key file", StringComparison.Ordinal));
            AssertNoDataProtectionWarning(second);
        }
        finally
        {
            TestPaths.DeleteDatabase(databasePath);
        }
    }

    [Fact]
    public async Task The_database_holds_its_keys_only_encrypted_with_the_key_file_s_certificate()
    {
        await using var host = new PortalHost();
        host.Start();
        host.Services.GetRequiredService<SecretProtector>().Protect(SecretPurpose.ClientSecret, "s3cret-value");

        var keys = await StoredKeysAsync(host.DatabasePath);

        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("requiresEncryption", xml, StringComparison.Ordinal);
            Assert.Contains($"decryptorType=\"{typeof(Microsoft.AspNetCore.DataProtection.XmlEncryption.EncryptedXmlDecryptor).AssemblyQualifiedName}\"", xml, StringComparison.Ordinal);
        });
        Assert.DoesNotContain("masterKey", DatabaseFileText(host.DatabasePath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_copy_of_the_database_with_another_key_file_decrypts_no_secret_and_accepts_no_cookie_of_the_first_portal()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var oauth1IntegrationId = await CreateOAuth1IntegrationAsync(scenario);
        using var setup = await scenario.NewSetupBrowserAsync();
        using var user = scenario.NewBrowser();
        var signIn = await scenario.SignInAsync(user, returnUrl: "/account");
        Assert.Equal("/account", signIn.Response.Headers.Location!.OriginalString);
        var secrets = await ProtectedSecretsAsync(scenario.Host.DatabasePath, oauth1IntegrationId);
        var readByFirst = Unprotect(scenario.Host, secrets);
        Assert.All(readByFirst, s => Assert.False(string.IsNullOrEmpty(s.Plaintext), $"{s.Purpose} unreadable in the first portal"));
        Assert.Equal(scenario.Registration.ClientSecret, readByFirst.Single(s => s.Purpose == SecretPurpose.ClientSecret).Plaintext);
        Assert.Equal(HttpStatusCode.OK, (await setup.Http.GetAsync(new Uri("/integrations", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Http.GetAsync(new Uri("/account", UriKind.Relative))).StatusCode);

        var copy = CopyDatabase(scenario.Host.DatabasePath);
        var copyWithKeyFile = CopyDatabase(scenario.Host.DatabasePath);
        try
        {
            // The copy on another machine: no key file where the portal looks, so it creates a new one.
            await using var thief = new PortalHost(copy, new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = TestPaths.KeyFilePath(copy) });
            thief.Start();

            Assert.NotEqual(scenario.Host.KeyFilePath, thief.KeyFilePath);
            Assert.All(Unprotect(thief, secrets), s => Assert.Null(s.Plaintext));
            Assert.Equal("/access", RedirectPath(thief, await GetWithCookiesOfAsync(thief, setup, "/integrations")));
            Assert.Equal("/signin", RedirectPath(thief, await GetWithCookiesOfAsync(thief, user, "/account")));
            var error = Assert.Single(thief.Logs.Entries, e => e.Category == typeof(StoredKeyProtection).FullName && e.Level == LogLevel.Error);
            Assert.Contains("encrypted with another certificate", error.Message, StringComparison.Ordinal);
            Assert.Contains("which was just created because none existed there", error.Message, StringComparison.Ordinal);
            Assert.Contains("restore the key file those keys were encrypted with to DataProtection:CertificatePath", error.Message, StringComparison.Ordinal);
            Assert.Contains("enter each integration's client secret again", error.Message, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await thief.CreateHttpClient().GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);

            // The same copy with the original key file reads everything: the key file is what the copy lacked.
            await using var restored = new PortalHost(copyWithKeyFile, new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = scenario.Host.KeyFilePath });
            restored.Start();
            Assert.Equal(readByFirst, Unprotect(restored, secrets));
            Assert.Equal(HttpStatusCode.OK, (await GetWithCookiesOfAsync(restored, setup, "/integrations")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await GetWithCookiesOfAsync(restored, user, "/account")).StatusCode);
            Assert.DoesNotContain(restored.Logs.Entries, e => e.Category == typeof(StoredKeyProtection).FullName);
        }
        finally
        {
            TestPaths.DeleteDatabase(copy);
            TestPaths.DeleteDatabase(copyWithKeyFile);
        }
    }

    [Fact]
    public async Task Keys_an_earlier_version_stored_unencrypted_are_encrypted_at_start_and_what_they_protect_stays_readable_only_with_the_key_file()
    {
        using var database = new TestDatabase();
        string protectedByOldVersion;
        string oldMasterKey;
        await using (var oldVersion = OldVersionDataProtection(database))
        {
            protectedByOldVersion = new SecretProtector(oldVersion.GetRequiredService<IDataProtectionProvider>()).Protect(SecretPurpose.ClientSecret, "old-secret");
            var stored = Assert.Single(await StoredKeysAsync(database.Path));
            Assert.Contains("requiresEncryption=\"true\"", stored, StringComparison.Ordinal);
            oldMasterKey = System.Xml.Linq.XElement.Parse(stored).Descendants("value").Single().Value;
            Assert.Contains(oldMasterKey, DatabaseFileText(database.Path), StringComparison.Ordinal);
        }

        await using (var host = new PortalHost(database.Path))
        {
            host.Start();

            Assert.Equal("old-secret", host.Services.GetRequiredService<SecretProtector>().TryUnprotect(SecretPurpose.ClientSecret, protectedByOldVersion));
            var upgraded = Assert.Single(await StoredKeysAsync(database.Path));
            Assert.DoesNotContain("requiresEncryption", upgraded, StringComparison.Ordinal);
            Assert.Contains("encryptedSecret", upgraded, StringComparison.Ordinal);
            // Also in the database file alone, copied while the portal runs, without its write-ahead log.
            Assert.DoesNotContain(oldMasterKey, MainDatabaseFileText(database.Path), StringComparison.Ordinal);
            Assert.DoesNotContain(oldMasterKey, DatabaseFileText(database.Path), StringComparison.Ordinal);
            var warning = Assert.Single(host.Logs.Entries, e => e.Category == typeof(StoredKeyProtection).FullName);
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains("Encrypted 1 Data Protection key(s) that an earlier version of the portal stored unencrypted", warning.Message, StringComparison.Ordinal);
            Assert.Contains("Database backups made before this start still hold them unencrypted", warning.Message, StringComparison.Ordinal);
            AssertNoDataProtectionWarning(host);
        }

        // Without the key file, as the old version read it, the database no longer opens the secret.
        await using var withoutKeyFile = OldVersionDataProtection(database, readOnly: true);
        Assert.Null(new SecretProtector(withoutKeyFile.GetRequiredService<IDataProtectionProvider>()).TryUnprotect(SecretPurpose.ClientSecret, protectedByOldVersion));

        // A second start finds nothing left to upgrade.
        await using var again = new PortalHost(database.Path);
        again.Start();
        Assert.DoesNotContain(again.Logs.Entries, e => e.Category == typeof(StoredKeyProtection).FullName);
        Assert.Equal("old-secret", again.Services.GetRequiredService<SecretProtector>().TryUnprotect(SecretPurpose.ClientSecret, protectedByOldVersion));
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------------

    private static void AssertNoDataProtectionWarning(PortalHost host)
    {
        var warnings = host.Logs.Entries
            .Where(e => e.Category.StartsWith("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal) && e.Level >= LogLevel.Warning)
            .ToList();
        Assert.True(warnings.Count == 0, "Data Protection warned:\n" + string.Join('\n', warnings.Select(w => $"{w.Category}: {w.Message}")));
    }

    /// <summary>Data Protection as the portal configured it before keys were encrypted: same application name, same table, no encryptor.</summary>
    /// <param name="readOnly">Adds no key when it finds none it can use, as one that only reads a stolen copy.</param>
    private static ServiceProvider OldVersionDataProtection(TestDatabase database, bool readOnly = false)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        database.Register(services);
        var dataProtection = services.AddDataProtection().SetApplicationName("Portal").PersistKeysToDbContext<PortalDbContext>();
        if (readOnly)
        {
            dataProtection.DisableAutomaticKeyGeneration();
        }
        return services.BuildServiceProvider();
    }

    private static async Task<List<string>> StoredKeysAsync(string databasePath)
    {
        await using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={databasePath}").Options);
        return await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml!).ToListAsync();
    }

    /// <summary>Everything on disk for the database, as text: the file, its write-ahead log and its journal.</summary>
    private static string DatabaseFileText(string databasePath)
    {
        SqliteConnection.ClearAllPools();
        var text = new StringBuilder();
        foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-journal" }.Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            text.Append(reader.ReadToEnd());
        }
        return text.ToString();
    }

    /// <summary>The database file as it is on disk now, leaving the portal's open connections alone.</summary>
    private static string MainDatabaseFileText(string databasePath)
    {
        using var stream = new FileStream(databasePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return reader.ReadToEnd();
    }

    /// <summary>A consistent copy of a live database, as an operator's backup would make it.</summary>
    private static string CopyDatabase(string databasePath)
    {
        var copy = TestPaths.NewDatabasePath();
        using var source = new SqliteConnection($"Data Source={databasePath}");
        using var target = new SqliteConnection($"Data Source={copy}");
        source.Open();
        source.BackupDatabase(target);
        return copy;
    }

    private static async Task<Guid> CreateOAuth1IntegrationAsync(SignInScenario scenario)
    {
        var pair = OAuth1KeyPair.Generate();
        var id = Guid.NewGuid();
        await scenario.Host.Services.CreateIntegrationAsync(new NewIntegration(id, "Old Bitbucket",
            BitbucketServerPlatform.KindOf.Key, scenario.Registration.BaseUrl, SignInScenario.OAuth1BitbucketVersion, OAuthVersion.OAuth1, "", "",
            new OAuth1Keys(OAuth1ConsumerKey.Generate(), pair.PublicKeyPem, pair.PrivateKeyPem)));
        return id;
    }

    /// <summary>Every protected value the database holds: the client secret, the OAuth 1 private key and the account's tokens.</summary>
    private static async Task<List<(string Purpose, string Protected)>> ProtectedSecretsAsync(string databasePath, Guid oauth1IntegrationId)
    {
        await using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={databasePath}").Options);
        var secrets = new List<(string, string)>();
        var oauth2 = await db.Integrations.AsNoTracking().SingleAsync(i => i.Id != oauth1IntegrationId);
        secrets.Add((SecretPurpose.ClientSecret, oauth2.ProtectedClientSecret));
        var oauth1 = await db.Integrations.AsNoTracking().SingleAsync(i => i.Id == oauth1IntegrationId);
        secrets.Add((SecretPurpose.PrivateKey, oauth1.ProtectedPrivateKey!));
        var account = await db.ExternalIdentities.AsNoTracking().SingleAsync();
        secrets.Add((SecretPurpose.AccessToken, account.ProtectedAccessToken!));
        secrets.Add((SecretPurpose.RefreshToken, account.ProtectedRefreshToken!));
        return secrets;
    }

    private static List<(string Purpose, string? Plaintext)> Unprotect(PortalHost host, List<(string Purpose, string Protected)> secrets)
    {
        var protector = host.Services.GetRequiredService<SecretProtector>();
        return secrets.Select(s => (s.Purpose, protector.TryUnprotect(s.Purpose, s.Protected))).ToList();
    }

    private static string RedirectPath(PortalHost host, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return new Uri(new Uri(host.BaseUrl), response.Headers.Location!).AbsolutePath;
    }

    /// <summary>A request to another portal carrying the cookies a browser holds for the first one.</summary>
    private static async Task<HttpResponseMessage> GetWithCookiesOfAsync(PortalHost host, ScenarioBrowser browser, string path)
    {
        using var client = host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Add("Cookie", string.Join("; ", browser.Cookies.GetAllCookies().Select(c => $"{c.Name}={c.Value}")));
        return await client.SendAsync(request);
    }
}
