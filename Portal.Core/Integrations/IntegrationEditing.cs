using Portal.Core.Platforms;
using FluentValidation.Results;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.Integrations;

/// <summary>What the edit form submits. The id (and so the Callback URL / Redirect URL) never changes.</summary>
/// <param name="ServerVersion">The version the live check found; null keeps the stored one while the Base URL is unchanged.</param>
/// <param name="ClientId">OAuth 2 only.</param>
/// <param name="ClientSecret">OAuth 2 only: empty keeps the current secret (allowed while the Client ID and OAuth version stay).</param>
/// <param name="OAuth1">OAuth 1 only, when switching from OAuth 2: the keys the form generated and showed.</param>
/// <param name="TrustedCaPem">With <paramref name="ChangesTrustedCa"/>: the CA certificate the integration trusts after the edit (null for none).</param>
/// <param name="ChangesTrustedCa">Whether the form changed the trusted CA; otherwise the stored one stays, whatever changed it meanwhile.</param>
/// <param name="ServerDetected">Whether the live check found the server at the (new) Base URL.</param>
/// <param name="EditedFrom">The integration as the form loaded it: when another administrator changed one of the form's
/// settings since, nothing is saved, so an edit in a tab left open does not put back what they changed.</param>
/// <param name="DifferentServer">With a new Base URL: it is another server, not the same one at a new address. People
/// are matched by their user id on the server, and another server gives the same ids to other people, so the accounts
/// that signed in through the integration are unlinked from it and their sessions end.</param>
public sealed record IntegrationEdit(
    Guid Id,
    string Name,
    string BaseUrl,
    string? ServerVersion,
    OAuthVersion OAuthVersion,
    string ClientId,
    string ClientSecret,
    OAuth1Keys? OAuth1 = null,
    string? TrustedCaPem = null,
    bool ChangesTrustedCa = false,
    bool ServerDetected = false,
    IntegrationDetails? EditedFrom = null,
    bool DifferentServer = false)
{
    /// <summary>Never prints the secrets.</summary>
    public override string ToString() => $"IntegrationEdit {{ Id = {Id}, Name = {Name}, BaseUrl = {BaseUrl}, OAuthVersion = {OAuthVersion} }}";
}

/// <summary>The outcome of an edit: the saved integration and what changed, or the rules it broke.</summary>
/// <param name="Changed">The settings that changed, by label ("Name", "Base URL", …), never their secret values.</param>
/// <param name="MarkedNotVerified">Whether the change reset the integration to Not verified.</param>
public sealed record EditIntegrationResult(
    IntegrationDetails? Integration, IReadOnlyList<ValidationFailure> Errors, IReadOnlyList<string> Changed, bool MarkedNotVerified)
{
    public bool Succeeded => Integration is not null;

    /// <summary>No integration with that id (deleted meanwhile).</summary>
    public bool NotFound => Integration is null && Errors.Count == 0;
}

/// <summary>
/// Changes an existing integration's name, Base URL and OAuth settings with the same rules as the wizard. A new Base URL,
/// OAuth version or set of credentials makes it Not verified again: the last successful sign-in no longer vouches for it.
/// </summary>
public sealed class IntegrationEditing(IDbContextFactory<PortalDbContext> dbFactory, IntegrationValidator validator, SecretProtector protector, AdminActions actions, AuditLog audit, TimeProvider clock,
    IEnumerable<IIntegrationChangeListener> changeListeners)
{
    public const string NameChange = "Name";
    public const string BaseUrlChange = "Base URL";
    public const string OAuthVersionChange = "OAuth version";
    public const string ClientIdChange = "Client ID";
    public const string ClientSecretChange = "Client Secret";
    public const string KeyPairChange = "OAuth 1 key pair";
    public const string TrustedCertificateChange = "Trusted certificate";

    private const string ChangedMeanwhile = "Someone changed this integration while you were editing it, so nothing was saved. Reload the page to see its settings now, then make your change again.";

    /// <summary>The integration without its secrets, or null when it does not exist.</summary>
    public async Task<IntegrationDetails?> FindAsync(Guid integrationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var integration = await db.Integrations.AsNoTracking().SingleOrDefaultAsync(i => i.Id == integrationId, cancellationToken);
        return integration is null ? null : IntegrationDetails.From(integration);
    }

    public Task<AdminResult<EditIntegrationResult>> EditAsync(Actor actor, IntegrationEdit edit, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, ct => ApplyEditAsync(actor, edit, ct), cancellationToken);

    private async Task<EditIntegrationResult> ApplyEditAsync(Actor actor, IntegrationEdit edit, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var integration = await db.Integrations.SingleOrDefaultAsync(i => i.Id == edit.Id, cancellationToken);
        if (integration is null)
        {
            return new EditIntegrationResult(null, [], [], false);
        }
        if (edit.EditedFrom is { } loaded && ChangedSince(loaded, integration))
        {
            return new EditIntegrationResult(null, [new ValidationFailure(nameof(IntegrationEdit.Id), ChangedMeanwhile)], [], false);
        }
        var name = IntegrationValidator.CleanName(edit.Name);
        var clientId = IntegrationValidator.Clean(edit.ClientId);
        var clientSecret = IntegrationValidator.Clean(edit.ClientSecret);
        var normalizedUrl = BaseUrlNormalizer.Normalize(edit.BaseUrl).Url;
        var loadedBaseUrl = integration.BaseUrl;
        var baseUrlChanged = normalizedUrl != loadedBaseUrl;
        var versionChanged = edit.OAuthVersion != integration.OAuthVersion;
        var toOAuth2 = edit.OAuthVersion == OAuthVersion.OAuth2;
        var clientIdChanged = toOAuth2 && !versionChanged && clientId != integration.ClientId;
        var keepSecret = toOAuth2 && !versionChanged && !clientIdChanged && clientSecret.Length == 0;
        var keepKeys = !toOAuth2 && !versionChanged;

        var request = new NewIntegration(
            integration.Id, name, integration.Platform, edit.BaseUrl,
            edit.ServerVersion ?? (baseUrlChanged ? null : integration.ServerVersion),
            edit.OAuthVersion, clientId, clientSecret,
            keepKeys ? new OAuth1Keys(integration.ConsumerKey ?? "", integration.PublicKeyPem ?? "", "") : edit.OAuth1,
            ServerDetected: edit.ServerDetected || !baseUrlChanged);
        var validation = await validator.ValidateAsync(request, cancellationToken);
        var errors = validation.Errors
            .Where(e => e.Severity == Severity.Error && !(keepSecret && e.PropertyName == nameof(NewIntegration.ClientSecret)))
            .ToList();
        if (clientIdChanged && clientSecret.Length == 0)
        {
            errors.Add(new ValidationFailure(nameof(NewIntegration.ClientSecret),
                "You changed the Client ID: paste the Client Secret the server showed with it as well (they belong together)."));
        }
        CertificateDetails? trustedCa = null;
        var trustChanged = edit.ChangesTrustedCa && !string.Equals(edit.TrustedCaPem, integration.TrustedCaPem, StringComparison.Ordinal);
        if (trustChanged && edit.TrustedCaPem is not null)
        {
            var (certificate, problem) = TrustedCertificatePem.Parse(edit.TrustedCaPem, clock.GetUtcNow());
            if (problem is not null)
            {
                errors.Add(new ValidationFailure(nameof(IntegrationEdit.TrustedCaPem), problem));
            }
            trustedCa = certificate;
        }
        if (errors.Count > 0)
        {
            return new EditIntegrationResult(null, errors, [], false);
        }

        var changed = new List<string>();
        // What the audit entry says about each change: public values before and after, never a secret.
        var described = new List<string>();
        // Compared in the stored form: a name saved before names were composed (NFC) is not changed by being composed now.
        if (name != IntegrationValidator.CleanName(integration.Name))
        {
            changed.Add(NameChange);
            described.Add(AuditDetails.FromTo(NameChange, $"\"{integration.Name}\"", $"\"{name}\""));
        }
        if (baseUrlChanged)
        {
            changed.Add(BaseUrlChange);
            described.Add(AuditDetails.FromTo(BaseUrlChange, integration.BaseUrl, normalizedUrl!));
        }
        if (versionChanged)
        {
            changed.Add(OAuthVersionChange);
            described.Add(AuditDetails.FromTo(OAuthVersionChange, AuditDetails.Describe(integration.OAuthVersion), AuditDetails.Describe(edit.OAuthVersion)));
        }
        integration.Name = name;
        integration.BaseUrl = normalizedUrl!;
        integration.ServerVersion = request.ServerVersion;
        integration.OAuthVersion = edit.OAuthVersion;
        if (toOAuth2)
        {
            if (clientId != integration.ClientId)
            {
                changed.Add(ClientIdChange);
                described.Add(integration.ClientId.Length == 0 ? $"{ClientIdChange} {clientId}" : AuditDetails.FromTo(ClientIdChange, integration.ClientId, clientId));
            }
            integration.ClientId = clientId;
            if (!keepSecret)
            {
                changed.Add(ClientSecretChange);
                described.Add($"{ClientSecretChange} (replaced)");
                integration.ProtectedClientSecret = protector.Protect(SecretPurpose.ClientSecret, clientSecret);
            }
            integration.ConsumerKey = null;
            integration.PublicKeyPem = null;
            integration.ProtectedPrivateKey = null;
        }
        else if (!keepKeys)
        {
            changed.Add(KeyPairChange);
            described.Add($"{KeyPairChange} (new, Consumer Key {edit.OAuth1!.ConsumerKey})");
            integration.ClientId = "";
            integration.ProtectedClientSecret = "";
            integration.ConsumerKey = edit.OAuth1!.ConsumerKey;
            integration.PublicKeyPem = edit.OAuth1.PublicKeyPem;
            integration.ProtectedPrivateKey = protector.Protect(SecretPurpose.PrivateKey, edit.OAuth1.PrivateKeyPem);
        }
        CertificateDetails? removedCa = null;
        if (trustChanged)
        {
            changed.Add(TrustedCertificateChange);
            described.Add(TrustedCertificateChange);
            removedCa = integration.TrustedCaPem is { } old ? TrustedCertificatePem.Parse(old, DateTimeOffset.MinValue).Certificate : null;
            integration.TrustedCaPem = trustedCa?.Pem;
        }
        var markNotVerified = changed.Any(c => c is not NameChange and not TrustedCertificateChange) && integration.Verification == IntegrationVerification.Verified;
        if (markNotVerified)
        {
            integration.Verification = IntegrationVerification.NotVerified;
            integration.VerifiedAt = null;
        }
        if (changed.Count > 0)
        {
            await audit.AddAsync(db, actor, AuditKind.IntegrationEdited, integration.Id, AuditDetails.Edited(described, markNotVerified), cancellationToken: cancellationToken);
        }
        if (trustChanged && removedCa is not null)
        {
            await audit.AddAsync(db, actor, AuditKind.CertificateRemoved, integration.Id, AuditDetails.Certificate(removedCa), cancellationToken: cancellationToken);
        }
        if (trustedCa is not null)
        {
            await audit.AddAsync(db, actor, AuditKind.CertificateTrusted, integration.Id, AuditDetails.Certificate(trustedCa), cancellationToken: cancellationToken);
        }
        var credentialsChanged = changed.Any(c => c is OAuthVersionChange or ClientIdChange or ClientSecretChange or KeyPairChange);
        var unlinkAccounts = baseUrlChanged && edit.DifferentServer;
        await using var transaction = credentialsChanged || unlinkAccounts ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        if (unlinkAccounts && await UnlinkAccountsAsync(db, actor, integration.Id, loadedBaseUrl, cancellationToken) is { } refusal)
        {
            await RollBackAsync(transaction);
            return new EditIntegrationResult(null, [new ValidationFailure(nameof(IntegrationEdit.DifferentServer), refusal)], [], false);
        }
        if (credentialsChanged)
        {
            // Pending new credentials belonged to the credentials just replaced; a verification in flight then swaps nothing.
            // Deleted by statement, in the save's transaction: a pending replacement discarded meanwhile is no conflict.
            if (await db.CredentialReplacements.Where(r => r.IntegrationId == integration.Id).ExecuteDeleteAsync(cancellationToken) > 0)
            {
                await audit.AddAsync(db, actor, AuditKind.SecretReplacementDiscarded, integration.Id,
                    "The pending new credentials were discarded: this edit replaced the credentials they were meant to replace.", cancellationToken: cancellationToken);
            }
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            await RollBackAsync(transaction);
            // Deleted by someone else between loading and saving.
            return await db.Integrations.AnyAsync(i => i.Id == edit.Id, cancellationToken)
                ? new EditIntegrationResult(null, [new ValidationFailure(nameof(IntegrationEdit.Id), ChangedMeanwhile)], [], false)
                : new EditIntegrationResult(null, [], [], false);
        }
        catch (DbUpdateException e) when (DatabaseFailure.IsUniqueViolation(e))
        {
            await RollBackAsync(transaction);
            // Another administrator took the name (or Consumer Key) after the validator looked.
            return new EditIntegrationResult(null, [await DescribeConflictAsync(integration, cancellationToken)], [], false);
        }
        await changeListeners.ChangedAsync(cancellationToken);
        return new EditIntegrationResult(IntegrationDetails.From(integration), [], changed, markNotVerified);
    }

    /// <summary>
    /// Unlinks the accounts that signed in through the integration and ends their sessions, in the edit's transaction;
    /// returns why not instead when it would leave no administrator a way in.
    /// </summary>
    private async Task<string?> UnlinkAccountsAsync(PortalDbContext db, Actor actor, Guid integrationId, string loadedBaseUrl, CancellationToken cancellationToken)
    {
        // Unlinking changes who can sign in as an administrator: decided under the lock a role change takes too.
        await actions.LockAdministratorsAsync(db, actor, cancellationToken);
        // Like Delete: a sign-in finishing meanwhile either committed its session before this (and it is ended here) or waits.
        await db.LockIntegrationRowAsync(integrationId, cancellationToken);
        if (await db.Integrations.Where(i => i.Id == integrationId).Select(i => i.BaseUrl).SingleOrDefaultAsync(cancellationToken) != loadedBaseUrl)
        {
            return ChangedMeanwhile;
        }
        if (await WayInProtection.FindRefusalAsync(db, integrationId, WayInProtection.Action.PointElsewhere, cancellationToken) is { } refusal)
        {
            return refusal;
        }
        var unlinked = await db.ExternalIdentities.Where(e => e.IntegrationId == integrationId).ExecuteDeleteAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var ended = await db.Sessions.Where(s => s.IntegrationId == integrationId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, Sessions.SessionEndReason.IntegrationServerChanged), cancellationToken);
        await audit.AddAsync(db, actor, AuditKind.IntegrationEdited, integrationId,
            $"Pointed at a different server: {unlinked} account link(s) removed, {ended} session(s) ended; those people get new accounts at their next sign-in.",
            cancellationToken: cancellationToken);
        return null;
    }

    private static bool ChangedSince(IntegrationDetails loaded, Integration now) =>
        loaded.Name != now.Name || loaded.BaseUrl != now.BaseUrl || loaded.OAuthVersion != now.OAuthVersion
        || loaded.ClientId != now.ClientId || loaded.ConsumerKey != now.ConsumerKey;

    // PostgreSQL answers nothing more in a transaction that failed, and the conflict's description reads the database.
    private static async Task RollBackAsync(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? transaction)
    {
        if (transaction is not null)
        {
            await transaction.RollbackAsync();
        }
    }

    private async Task<ValidationFailure> DescribeConflictAsync(Integration integration, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Integrations.AnyAsync(i => i.Name == integration.Name && i.Id != integration.Id, cancellationToken)
            ? new ValidationFailure(nameof(NewIntegration.Name), $"An integration named \"{integration.Name}\" was created by someone else a moment ago. Choose another name.")
            : new ValidationFailure(nameof(NewIntegration.OAuth1), "Another integration already uses this Consumer Key. Reload the page to generate a new key pair.");
    }
}
