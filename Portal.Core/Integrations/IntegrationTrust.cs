using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.Integrations;

/// <summary>An integration and the certificate it alone trusts, as its Trusted certificate page shows them.</summary>
/// <param name="Certificate">The trusted certificate; <c>null</c> when the integration trusts none of its own.</param>
public sealed record IntegrationTrustView(Guid IntegrationId, string Name, string BaseUrl, CertificateDetails? Certificate, string Platform = "");

/// <summary>The outcome of trusting a certificate: what is now trusted, or why the PEM was refused (cause and fix).</summary>
public sealed record TrustChange(bool IntegrationFound, CertificateDetails? Certificate, string? Problem)
{
    /// <summary>Whether the certificate is now trusted for the integration.</summary>
    public bool Succeeded => IntegrationFound && Problem is null;
}

/// <summary>
/// Trusts or stops trusting a private CA (or a self-signed server certificate) for one integration. The system's
/// roots and Servers:TrustedCaFile stay in force; host names are always checked; nothing switches verification off.
/// </summary>
public sealed class IntegrationTrustService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, AdminActions actions, AuditLog audit,
    IEnumerable<IIntegrationChangeListener> changeListeners)
{
    /// <summary>Message for an integration that no longer exists.</summary>
    public const string NotFound = "This integration no longer exists: someone deleted it. Open the Integrations page to see the current list.";

    /// <summary>The integration and its trusted certificate, or <c>null</c> when it does not exist.</summary>
    public async Task<IntegrationTrustView?> FindAsync(Guid integrationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.Integrations.AsNoTracking().Where(i => i.Id == integrationId)
            .Select(i => new { i.Id, i.Name, i.BaseUrl, i.TrustedCaPem, i.Platform })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }
        var certificate = found.TrustedCaPem is null ? null : TrustedCertificatePem.Parse(found.TrustedCaPem, DateTimeOffset.MinValue).Certificate;
        return new IntegrationTrustView(found.Id, found.Name, found.BaseUrl, certificate, found.Platform);
    }

    /// <summary>Trusts <paramref name="pem"/> (one certificate, no key) for the integration, replacing what it trusted before.</summary>
    public Task<AdminResult<TrustChange>> TrustAsync(Actor actor, Guid integrationId, string pem, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, async ct =>
        {
            var (certificate, problem) = TrustedCertificatePem.Parse(pem, clock.GetUtcNow());
            if (problem is not null)
            {
                return new TrustChange(true, null, problem);
            }
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // Locked before it is read, so that what the audit log says was replaced is what was replaced.
            await db.LockIntegrationRowAsync(integrationId, ct);
            var current = await db.Integrations.Where(i => i.Id == integrationId).Select(i => new { i.TrustedCaPem }).SingleOrDefaultAsync(ct);
            if (current is null)
            {
                return new TrustChange(false, null, NotFound);
            }
            if (current.TrustedCaPem == certificate!.Pem)
            {
                // Already trusted (another administrator, or a second click): nothing changes and nothing is recorded.
                return new TrustChange(true, certificate, null);
            }
            await db.Integrations.Where(i => i.Id == integrationId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.TrustedCaPem, certificate.Pem), ct);
            if (current.TrustedCaPem is { } replaced)
            {
                var removed = TrustedCertificatePem.Parse(replaced, DateTimeOffset.MinValue).Certificate;
                await audit.AddAsync(db, actor, AuditKind.CertificateRemoved, integrationId,
                    removed is null ? "The trusted certificate was replaced." : AuditDetails.Certificate(removed), cancellationToken: ct);
            }
            await audit.AddAsync(db, actor, AuditKind.CertificateTrusted, integrationId, AuditDetails.Certificate(certificate), cancellationToken: ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            await changeListeners.ChangedAsync(ct);
            return new TrustChange(true, certificate, null);
        }, cancellationToken);

    /// <summary>Stops trusting the integration's own certificate; its value is false when the integration does not exist.</summary>
    public Task<AdminResult<bool>> RemoveAsync(Actor actor, Guid integrationId, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, async ct =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.LockIntegrationRowAsync(integrationId, ct);
            var trusted = await db.Integrations.Where(i => i.Id == integrationId).Select(i => i.TrustedCaPem).SingleOrDefaultAsync(ct);
            if (trusted is null || await db.Integrations.Where(i => i.Id == integrationId && i.TrustedCaPem == trusted)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.TrustedCaPem, (string?)null), ct) != 1)
            {
                // Nothing was trusted (or the integration is gone): nothing changes and nothing is recorded.
                return false;
            }
            var removed = TrustedCertificatePem.Parse(trusted, DateTimeOffset.MinValue).Certificate;
            await audit.AddAsync(db, actor, AuditKind.CertificateRemoved, integrationId,
                removed is null ? "The trusted certificate was removed." : AuditDetails.Certificate(removed), cancellationToken: ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            await changeListeners.ChangedAsync(ct);
            return true;
        }, cancellationToken);
}
