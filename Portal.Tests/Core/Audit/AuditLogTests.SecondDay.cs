using Portal.Core.Platforms;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Integrations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Audit;

/// <summary>The second day's actions (edit, delete, replacing credentials, trusting a CA, removing an orphaned account) each write their entry with the change.</summary>
public sealed partial class AuditLogTests
{
    private async Task<List<AuditEntry>> EntriesOfAsync(params AuditKind[] kinds) =>
        [.. (await EntriesAsync()).Where(e => kinds.Contains(e.Kind))];

    private static (string Pem, string Fingerprint) NewCaCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Acme Root CA, O=Acme", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        // Written as the portal shows fingerprints: hex pairs separated by colons.
        return (certificate.ExportCertificatePem(), Convert.ToHexString(SHA256.HashData(certificate.RawData)).Chunk(2).Select(pair => new string(pair)).Aggregate((a, b) => $"{a}:{b}"));
    }

    [Fact]
    public async Task An_edit_is_recorded_with_the_public_values_before_and_after_and_no_value_of_a_secret()
    {
        var integration = await services.CreateIntegrationAsync(Acme());
        var ada = await AdaAsync();
        var newSecret = new string('b', 64);

        var result = await services.GetRequiredService<IntegrationEditing>().EditAsync(ada, new IntegrationEdit(
            integration.Id, "Acme Bitbucket EU", integration.BaseUrl, null, OAuthVersion.OAuth2, "portal-client", newSecret));

        Assert.True(result.Value.Succeeded, string.Join("; ", result.Value.Errors.Select(e => e.ErrorMessage)));
        var entry = Assert.Single(await EntriesOfAsync(AuditKind.IntegrationEdited));
        Assert.Equal(("Ada Lovelace", Address, "Acme Bitbucket EU"), (entry.ActorName, entry.ClientAddress, entry.IntegrationName));
        Assert.Equal($"Changed: Name \"{integration.Name}\" → \"Acme Bitbucket EU\"; Client Secret (replaced).", entry.Details);
        Assert.DoesNotContain(newSecret, entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edit_that_changes_nothing_records_nothing()
    {
        var integration = await services.CreateIntegrationAsync(Acme());

        var result = await services.GetRequiredService<IntegrationEditing>().EditAsync(await AdaAsync(), new IntegrationEdit(
            integration.Id, integration.Name, integration.BaseUrl, null, OAuthVersion.OAuth2, "portal-client", ""));

        Assert.True(result.Value.Succeeded);
        Assert.Empty(await EntriesOfAsync(AuditKind.IntegrationEdited));
    }

    [Fact]
    public async Task A_deletion_is_recorded_under_the_integration_s_name_and_a_refused_one_is_not()
    {
        var integration = await services.CreateIntegrationAsync(Acme());
        var ada = await AdaAsync();
        var lifecycle = services.GetRequiredService<IntegrationLifecycle>();

        Assert.Equal(LifecycleOutcomeKind.ConfirmationMismatch, (await lifecycle.DeleteAsync(ada, integration.Id, "Acme")).Value.Kind);
        Assert.Empty(await EntriesOfAsync(AuditKind.IntegrationDeleted));
        Assert.True((await lifecycle.DeleteAsync(ada, integration.Id, "Acme Bitbucket")).Value.Done);

        var entry = Assert.Single(await EntriesOfAsync(AuditKind.IntegrationDeleted));
        Assert.Equal(("Ada Lovelace", integration.Id, "Acme Bitbucket"), (entry.ActorName, entry.IntegrationId, entry.IntegrationName));
        Assert.Equal("0 portal sessions ended; 0 accounts left without another integration (orphaned, kept on People).", entry.Details);
    }

    [Fact]
    public async Task Removing_an_orphaned_account_names_the_person_it_removed()
    {
        var ada = await AdaAsync();
        var (grace, _) = await services.PersonAsync("Grace Hopper", isAdministrator: false);

        var removal = await services.GetRequiredService<OrphanedAccounts>().RemoveAsync(ada, grace.Id);

        Assert.Equal(OrphanRemoval.Removed, removal.Value);
        var entry = Assert.Single(await EntriesOfAsync(AuditKind.AccountRemoved));
        Assert.Equal(("Ada Lovelace", grace.Id, "Grace Hopper"), (entry.ActorName, entry.SubjectUserId, entry.SubjectName));
    }

    [Fact]
    public async Task An_account_that_is_not_removed_leaves_no_entry()
    {
        var ada = await AdaAsync();

        var removal = await services.GetRequiredService<OrphanedAccounts>().RemoveAsync(ada, Guid.NewGuid());

        Assert.Equal(OrphanRemoval.UserNotFound, removal.Value);
        Assert.Empty(await EntriesOfAsync(AuditKind.AccountRemoved));
    }

    [Fact]
    public async Task Starting_and_discarding_a_secret_replacement_are_recorded_without_the_secret()
    {
        var integration = await services.CreateIntegrationAsync(Acme());
        var ada = await AdaAsync();
        var replacements = services.GetRequiredService<CredentialReplacementService>();
        var pending = new string('c', 64);

        Assert.True((await replacements.StartClientSecretAsync(ada, integration.Id, pending)).Value.Started);
        Assert.Equal(DiscardOutcome.Discarded, (await replacements.DiscardAsync(ada, integration.Id)).Value);
        Assert.Equal(DiscardOutcome.NothingPending, (await replacements.DiscardAsync(ada, integration.Id)).Value);
        Assert.Equal(DiscardOutcome.IntegrationGone, (await replacements.DiscardAsync(ada, Guid.NewGuid())).Value);

        var entries = await EntriesOfAsync(AuditKind.SecretReplacementStarted, AuditKind.SecretReplacementDiscarded);
        Assert.Equal([AuditKind.SecretReplacementStarted, AuditKind.SecretReplacementDiscarded], entries.Select(e => e.Kind));
        Assert.All(entries, e => Assert.Equal(("Ada Lovelace", Address, integration.Id), (e.ActorName, e.ClientAddress, e.IntegrationId)));
        Assert.Contains("A new Client Secret is pending", entries[0].Details, StringComparison.Ordinal);
        Assert.All(entries, e => Assert.DoesNotContain(pending, e.Details, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Trusting_and_removing_a_CA_are_recorded_by_subject_and_fingerprint_never_by_the_PEM()
    {
        var integration = await services.CreateIntegrationAsync(Acme());
        var ada = await AdaAsync();
        var trust = services.GetRequiredService<IntegrationTrustService>();
        var (pem, fingerprint) = NewCaCertificate();

        Assert.True((await trust.TrustAsync(ada, integration.Id, pem)).Value.Succeeded);
        Assert.True((await trust.RemoveAsync(ada, integration.Id)).Value);
        Assert.False((await trust.RemoveAsync(ada, integration.Id)).Value);

        var entries = await EntriesOfAsync(AuditKind.CertificateTrusted, AuditKind.CertificateRemoved);
        Assert.Equal([AuditKind.CertificateTrusted, AuditKind.CertificateRemoved], entries.Select(e => e.Kind));
        Assert.All(entries, e =>
        {
            Assert.Contains("CN=Acme Root CA", e.Details, StringComparison.Ordinal);
            Assert.Contains($"SHA-256 {fingerprint}", e.Details, StringComparison.Ordinal);
            Assert.DoesNotContain("BEGIN CERTIFICATE", e.Details, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_CA_trusted_in_the_wizard_is_recorded_with_the_creation_and_one_changed_on_the_edit_page_as_a_removal_and_a_trust()
    {
        var ada = await AdaAsync();
        var (first, firstFingerprint) = NewCaCertificate();
        var (second, secondFingerprint) = NewCaCertificate();
        var created = await services.GetRequiredService<IntegrationService>().CreateAsync(ada, Acme(trustedCaPem: first));
        var integration = created.Value.Integration!;

        var edited = await services.GetRequiredService<IntegrationEditing>().EditAsync(ada, new IntegrationEdit(
            integration.Id, integration.Name, integration.BaseUrl, null, OAuthVersion.OAuth2, "portal-client", "", TrustedCaPem: second, ChangesTrustedCa: true));

        Assert.True(edited.Value.Succeeded);
        Assert.False(edited.Value.MarkedNotVerified);
        var entries = await EntriesOfAsync(AuditKind.IntegrationCreated, AuditKind.CertificateTrusted, AuditKind.CertificateRemoved, AuditKind.IntegrationEdited);
        Assert.Equal([AuditKind.IntegrationCreated, AuditKind.CertificateTrusted, AuditKind.IntegrationEdited, AuditKind.CertificateRemoved, AuditKind.CertificateTrusted],
            entries.Select(e => e.Kind));
        Assert.Contains(firstFingerprint, entries[1].Details, StringComparison.Ordinal);
        Assert.Contains(firstFingerprint, entries[3].Details, StringComparison.Ordinal);
        Assert.Contains(secondFingerprint, entries[4].Details, StringComparison.Ordinal);
        Assert.Equal("Changed: Trusted certificate.", entries[2].Details);
    }
}
