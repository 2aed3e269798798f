using Portal.Core.Platforms.BitbucketServer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Core.Platforms;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

/// <summary>Editing keeps the id (and so the Callback URL), runs the wizard's rules, and resets Verified when it must.</summary>
public sealed class IntegrationEditingTests : IAsyncLifetime
{
    private const string Secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly TestDatabase database = new();
    private readonly SecretProtector protector = new(new EphemeralDataProtectionProvider());
    private ServiceProvider services = null!;
    private Actor admin = null!;

    public async Task InitializeAsync()
    {
        var collection = new ServiceCollection();
        database.Register(collection);
        collection.AddSingleton(protector);
        collection.AddScoped<IntegrationValidator>();
        collection.AddBitbucketPlatformForTests();
        collection.AddScoped<IntegrationService>();
        collection.AddIntegrationManagement();
        services = collection.AddTestAuthorization().BuildServiceProvider();
        admin = (await services.PersonAsync("Ada", isAdministrator: true)).Actor;
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        database.Dispose();
    }

    private IntegrationEditing Editing => services.GetRequiredService<IntegrationEditing>();

    private async Task<Integration> VerifiedOAuth2Async(string name = "Acme")
    {
        var created = await services.CreateIntegrationAsync(new NewIntegration(Guid.NewGuid(), name, BitbucketServerPlatform.KindOf.Key,
            "https://bitbucket.example.com", "8.9.1", OAuthVersion.OAuth2, "00112233445566778899aabbccddeeff", Secret));
        await using var db = database.CreateContext();
        await db.Integrations.Where(i => i.Id == created.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Verification, IntegrationVerification.Verified).SetProperty(i => i.VerifiedAt, DateTimeOffset.UtcNow));
        return created;
    }

    private static IntegrationEdit Unchanged(Integration i) => new(i.Id, i.Name, i.BaseUrl, null, i.OAuthVersion, i.ClientId, "");

    private async Task<Integration> StoredAsync(Guid id)
    {
        await using var db = database.CreateContext();
        return await db.Integrations.AsNoTracking().SingleAsync(i => i.Id == id);
    }

    [Fact]
    public async Task Renaming_keeps_the_id_the_secret_and_Verified()
    {
        var acme = await VerifiedOAuth2Async();

        var result = (await Editing.EditAsync(admin, Unchanged(acme) with { Name = "  Acme Data Center " })).Value;

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal([IntegrationEditing.NameChange], result.Changed);
        Assert.False(result.MarkedNotVerified);
        var stored = await StoredAsync(acme.Id);
        Assert.Equal("Acme Data Center", stored.Name);
        Assert.Equal(IntegrationVerification.Verified, stored.Verification);
        Assert.Equal(Secret, protector.TryUnprotect(SecretPurpose.ClientSecret, stored.ProtectedClientSecret));
    }

    [Fact]
    public async Task A_new_Base_URL_needs_a_successful_check_and_then_marks_the_integration_Not_verified()
    {
        var acme = await VerifiedOAuth2Async();

        var unchecked_ = (await Editing.EditAsync(admin, Unchanged(acme) with { BaseUrl = "https://git.example.com/bitbucket/" })).Value;
        var checked_ = (await Editing.EditAsync(admin, Unchanged(acme) with { BaseUrl = "https://git.example.com/bitbucket/", ServerVersion = "9.4.2" })).Value;

        Assert.Contains(unchecked_.Errors, e => e.PropertyName == nameof(NewIntegration.ServerVersion));
        Assert.True(checked_.Succeeded, string.Join("; ", checked_.Errors));
        Assert.True(checked_.MarkedNotVerified);
        var stored = await StoredAsync(acme.Id);
        Assert.Equal(acme.Id, stored.Id);
        Assert.Equal("https://git.example.com/bitbucket", stored.BaseUrl);
        Assert.Equal("9.4.2", stored.ServerVersion);
        Assert.Equal(IntegrationVerification.NotVerified, stored.Verification);
        Assert.Null(stored.VerifiedAt);
    }

    [Fact]
    public async Task A_new_Base_URL_on_a_different_server_unlinks_the_accounts_and_ends_their_sessions_while_a_move_keeps_them()
    {
        var acme = await VerifiedOAuth2Async();
        var other = await VerifiedOAuth2Async("Other");
        var (bob, _) = await services.PersonAsync("Bob", isAdministrator: false);
        var bobsSession = await LinkAsync(bob.Id, acme.Id, externalUserId: 1);
        await LinkAsync(bob.Id, other.Id, externalUserId: 1);
        var moved = Unchanged(acme) with { BaseUrl = "https://git.example.com/bitbucket", ServerVersion = "9.4.2" };

        Assert.True((await Editing.EditAsync(admin, moved)).Value.Succeeded);
        Assert.Equal(2, await IdentitiesOfAsync(bob.Id));

        var elsewhere = Unchanged(acme) with { BaseUrl = "https://staging.example.com", ServerVersion = "9.4.2", DifferentServer = true };
        var result = (await Editing.EditAsync(admin, elsewhere with { EditedFrom = await Editing.FindAsync(acme.Id) })).Value;

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        await using var db = database.CreateContext();
        Assert.Equal([other.Id], await db.ExternalIdentities.Where(e => e.UserId == bob.Id).Select(e => e.IntegrationId).ToListAsync());
        var session = await db.Sessions.SingleAsync(x => x.Id == bobsSession);
        Assert.Equal(Portal.Core.Sessions.SessionEndReason.IntegrationServerChanged, session.EndReason);
        var refusal = await services.GetRequiredService<AdministratorGate>().CheckAsync(new Actor(bobsSession));
        Assert.StartsWith("An administrator pointed the integration you signed in through at a different server", refusal!.Message, StringComparison.Ordinal);
        Assert.True(await db.Users.AnyAsync(u => u.Id == bob.Id));
        var entry = await db.AuditEntries.Where(e => e.IntegrationId == acme.Id && e.Details!.StartsWith("Pointed at a different server")).SingleAsync();
        Assert.Contains("1 account link(s) removed, 1 session(s) ended", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pointing_the_administrators_only_way_in_at_a_different_server_is_refused_and_changes_nothing()
    {
        var acme = await VerifiedOAuth2Async();
        await using (var db = database.CreateContext())
        {
            var ada = await db.Users.SingleAsync(u => u.DisplayName == "Ada");
            db.ExternalIdentities.Add(new ExternalIdentity { UserId = ada.Id, IntegrationId = acme.Id, ExternalUserId = 1, Username = "ada", Slug = "ada" });
            await db.SaveChangesAsync();
        }

        var result = (await Editing.EditAsync(admin, Unchanged(acme) with { BaseUrl = "https://staging.example.com", ServerVersion = "9.4.2", DifferentServer = true })).Value;

        var refusal = Assert.Single(result.Errors);
        Assert.Contains("Pointing it at a different server, which unlinks the accounts that signed in through it, would leave no administrator a way to sign in", refusal.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("https://bitbucket.example.com", (await StoredAsync(acme.Id)).BaseUrl);
        await using var check = database.CreateContext();
        Assert.True(await check.ExternalIdentities.AnyAsync(e => e.IntegrationId == acme.Id));
    }

    private async Task<Guid> LinkAsync(Guid userId, Guid integrationId, long externalUserId)
    {
        await using (var db = database.CreateContext())
        {
            db.ExternalIdentities.Add(new ExternalIdentity { UserId = userId, IntegrationId = integrationId, ExternalUserId = externalUserId, Username = "bob", Slug = "bob" });
            await db.SaveChangesAsync();
        }
        return await services.GetRequiredService<Portal.Core.Sessions.SessionService>().StartUserSessionAsync(userId, integrationId);
    }

    private async Task<int> IdentitiesOfAsync(Guid userId)
    {
        await using var db = database.CreateContext();
        return await db.ExternalIdentities.CountAsync(e => e.UserId == userId);
    }

    [Fact]
    public async Task A_new_Client_ID_needs_its_Client_Secret()
    {
        var acme = await VerifiedOAuth2Async();

        var withoutSecret = (await Editing.EditAsync(admin, Unchanged(acme) with { ClientId = "ffeeddccbbaa99887766554433221100" })).Value;

        Assert.Contains(withoutSecret.Errors, e => e.PropertyName == nameof(NewIntegration.ClientSecret) && e.ErrorMessage.StartsWith("You changed the Client ID", StringComparison.Ordinal));
        Assert.Equal("00112233445566778899aabbccddeeff", (await StoredAsync(acme.Id)).ClientId);
    }

    [Fact]
    public async Task Switching_to_OAuth_1_stores_the_new_key_pair_drops_the_OAuth_2_credentials_and_marks_it_Not_verified()
    {
        var acme = await VerifiedOAuth2Async();
        var pair = OAuth1KeyPair.Generate();
        var keys = new OAuth1Keys(OAuth1ConsumerKey.Generate(), pair.PublicKeyPem, pair.PrivateKeyPem);

        var withoutKeys = (await Editing.EditAsync(admin, Unchanged(acme) with { OAuthVersion = OAuthVersion.OAuth1 })).Value;
        var withKeys = (await Editing.EditAsync(admin, Unchanged(acme) with { OAuthVersion = OAuthVersion.OAuth1, OAuth1 = keys })).Value;

        Assert.Contains(withoutKeys.Errors, e => e.PropertyName == nameof(NewIntegration.OAuth1));
        Assert.True(withKeys.Succeeded, string.Join("; ", withKeys.Errors));
        Assert.Contains(IntegrationEditing.OAuthVersionChange, withKeys.Changed);
        var stored = await StoredAsync(acme.Id);
        Assert.Equal(OAuthVersion.OAuth1, stored.OAuthVersion);
        Assert.Equal(keys.ConsumerKey, stored.ConsumerKey);
        Assert.Equal(pair.PrivateKeyPem, protector.TryUnprotect(SecretPurpose.PrivateKey, stored.ProtectedPrivateKey!));
        Assert.Equal("", stored.ClientId);
        Assert.Equal("", stored.ProtectedClientSecret);
        Assert.Equal(IntegrationVerification.NotVerified, stored.Verification);
    }

    [Fact]
    public async Task Switching_back_to_OAuth_2_needs_the_Client_ID_and_Client_Secret()
    {
        var acme = await VerifiedOAuth2Async();
        var pair = OAuth1KeyPair.Generate();
        await Editing.EditAsync(admin, Unchanged(acme) with { OAuthVersion = OAuthVersion.OAuth1, OAuth1 = new OAuth1Keys(OAuth1ConsumerKey.Generate(), pair.PublicKeyPem, pair.PrivateKeyPem) });
        var oauth1 = await StoredAsync(acme.Id);

        var withoutCredentials = (await Editing.EditAsync(admin, Unchanged(oauth1) with { OAuthVersion = OAuthVersion.OAuth2 })).Value;
        var withCredentials = (await Editing.EditAsync(admin, Unchanged(oauth1) with
        {
            OAuthVersion = OAuthVersion.OAuth2, ClientId = "ffeeddccbbaa99887766554433221100", ClientSecret = Secret,
        })).Value;

        Assert.Contains(withoutCredentials.Errors, e => e.PropertyName == nameof(NewIntegration.ClientId));
        Assert.Contains(withoutCredentials.Errors, e => e.PropertyName == nameof(NewIntegration.ClientSecret));
        Assert.True(withCredentials.Succeeded, string.Join("; ", withCredentials.Errors));
        var stored = await StoredAsync(acme.Id);
        Assert.Null(stored.ConsumerKey);
        Assert.Null(stored.ProtectedPrivateKey);
        Assert.Equal(Secret, protector.TryUnprotect(SecretPurpose.ClientSecret, stored.ProtectedClientSecret));
    }

    [Fact]
    public async Task A_name_another_integration_has_is_refused()
    {
        await VerifiedOAuth2Async("Acme");
        var other = await VerifiedOAuth2Async("Other");

        var result = (await Editing.EditAsync(admin, Unchanged(other) with { Name = "ACME" })).Value;

        Assert.Contains(result.Errors, e => e.PropertyName == nameof(NewIntegration.Name));
        Assert.Equal("Other", (await StoredAsync(other.Id)).Name);
    }

    [Fact]
    public async Task Someone_who_is_no_longer_an_administrator_cannot_edit()
    {
        var acme = await VerifiedOAuth2Async();
        var (_, grace) = await services.PersonAsync("Grace", isAdministrator: false);

        var result = await Editing.EditAsync(grace, Unchanged(acme) with { Name = "Hijacked" });

        Assert.Equal(AccessRefusalReason.NotAdministrator, result.Refusal?.Reason);
        Assert.Equal("Acme", (await StoredAsync(acme.Id)).Name);
    }

    [Fact]
    public async Task Removing_an_orphaned_account_is_refused_while_it_can_still_sign_in()
    {
        var acme = await VerifiedOAuth2Async();
        var (grace, _) = await services.PersonAsync("Grace", isAdministrator: false);
        var (orphan, _) = await services.PersonAsync("Orphan", isAdministrator: false);
        await using (var db = database.CreateContext())
        {
            db.ExternalIdentities.Add(new ExternalIdentity { IntegrationId = acme.Id, UserId = grace.Id, ExternalUserId = 7, Username = "grace" });
            await db.SaveChangesAsync();
        }
        var orphans = services.GetRequiredService<OrphanedAccounts>();

        Assert.Equal(OrphanRemoval.NotOrphaned, (await orphans.RemoveAsync(admin, grace.Id)).Value);
        Assert.Equal(OrphanRemoval.Removed, (await orphans.RemoveAsync(admin, orphan.Id)).Value);

        await using var check = database.CreateContext();
        Assert.True(await check.Users.AnyAsync(u => u.Id == grace.Id));
        Assert.False(await check.Users.AnyAsync(u => u.Id == orphan.Id));
    }

    [Fact]
    public async Task A_CA_trusted_elsewhere_while_the_edit_form_was_open_stays_when_the_form_saves_a_rename()
    {
        var integration = await VerifiedOAuth2Async();
        var trust = services.GetRequiredService<IntegrationTrustService>();
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Acme Root CA", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Assert.True((await trust.TrustAsync(admin, integration.Id, ca.ExportCertificatePem())).Value.Succeeded);

        // The form was loaded before the trust, so it still holds "no CA"; it did not change the CA itself.
        var result = await Editing.EditAsync(admin, Unchanged(integration) with { Name = "Acme EU", TrustedCaPem = null });

        Assert.True(result.Value.Succeeded);
        Assert.NotNull((await StoredAsync(integration.Id)).TrustedCaPem);
        Assert.Equal([IntegrationEditing.NameChange], result.Value.Changed);
    }

    [Fact]
    public async Task An_edit_from_a_form_loaded_before_another_administrators_change_saves_nothing_and_says_why()
    {
        var integration = await VerifiedOAuth2Async();
        var loaded = await Editing.FindAsync(integration.Id);
        Assert.True((await Editing.EditAsync(admin, Unchanged(integration) with { BaseUrl = "https://git.example.com", ServerVersion = "8.9.1", ServerDetected = true, EditedFrom = loaded })).Value.Succeeded);

        // The first form, still open, renames: it would put the old Base URL back.
        var stale = await Editing.EditAsync(admin, Unchanged(integration) with { Name = "Acme EU", EditedFrom = loaded });

        Assert.False(stale.Value.Succeeded);
        Assert.Contains("Someone changed this integration while you were editing it, so nothing was saved", Assert.Single(stale.Value.Errors).ErrorMessage, StringComparison.Ordinal);
        var stored = await StoredAsync(integration.Id);
        Assert.Equal(("Acme", "https://git.example.com"), (stored.Name, stored.BaseUrl));

        // Loaded again, the same rename is saved.
        var reloaded = await Editing.FindAsync(integration.Id);
        Assert.True((await Editing.EditAsync(admin, Unchanged(stored) with { Name = "Acme EU", EditedFrom = reloaded })).Value.Succeeded);
        Assert.Equal("Acme EU", (await StoredAsync(integration.Id)).Name);
    }

    [Fact]
    public async Task A_CA_trusted_elsewhere_does_not_count_as_a_change_to_the_forms_settings()
    {
        var integration = await VerifiedOAuth2Async();
        var loaded = await Editing.FindAsync(integration.Id);
        await using (var db = database.CreateContext())
        {
            await db.Integrations.Where(i => i.Id == integration.Id).ExecuteUpdateAsync(u => u.SetProperty(i => i.ServerVersion, "9.0.0"));
        }

        Assert.True((await Editing.EditAsync(admin, Unchanged(integration) with { Name = "Acme EU", EditedFrom = loaded })).Value.Succeeded);
    }

    [Fact]
    public async Task A_new_Client_Secret_saved_on_the_edit_page_drops_a_pending_replacement()
    {
        var integration = await VerifiedOAuth2Async();
        var replacements = services.GetRequiredService<CredentialReplacementService>();
        Assert.True((await replacements.StartClientSecretAsync(admin, integration.Id, new string('c', 64))).Value.Started);

        var result = await Editing.EditAsync(admin, Unchanged(integration) with { ClientSecret = new string('d', 64) });

        Assert.True(result.Value.Succeeded);
        await using var db = database.CreateContext();
        Assert.Empty(await db.CredentialReplacements.ToListAsync());
        var discarded = await db.AuditEntries.SingleAsync(e => e.Kind == Portal.Core.Audit.AuditKind.SecretReplacementDiscarded);
        Assert.Equal(integration.Id, discarded.IntegrationId);
        Assert.Contains("this edit replaced the credentials", discarded.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rename_keeps_a_pending_replacement()
    {
        var integration = await VerifiedOAuth2Async();
        var replacements = services.GetRequiredService<CredentialReplacementService>();
        Assert.True((await replacements.StartClientSecretAsync(admin, integration.Id, new string('c', 64))).Value.Started);

        Assert.True((await Editing.EditAsync(admin, Unchanged(integration) with { Name = "Acme EU" })).Value.Succeeded);

        await using var db = database.CreateContext();
        Assert.Single(await db.CredentialReplacements.ToListAsync());
    }
}
