using Portal.Core.Platforms;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.Integrations;

/// <summary>The outcome of creating an integration: the new integration, or the rules it broke.</summary>
public sealed record CreateIntegrationResult(Integration? Integration, IReadOnlyList<ValidationFailure> Errors)
{
    public bool Succeeded => Integration is not null;
}

/// <summary>An integration as lists show it: never with its secret.</summary>
public sealed record IntegrationSummary(
    Guid Id, string Name, string Platform, string BaseUrl, string? ServerVersion, OAuthVersion OAuthVersion,
    bool Enabled, IntegrationVerification Verification, DateTimeOffset CreatedAt, DateTimeOffset? VerifiedAt);

public sealed class IntegrationService(
    IDbContextFactory<PortalDbContext> dbFactory, IntegrationValidator validator, SecretProtector protector, TimeProvider clock, AdminActions actions, AuditLog audit, PlatformCatalog platforms,
    IEnumerable<IIntegrationChangeListener> changeListeners)
{
    public async Task<IReadOnlyList<IntegrationSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Integrations.AsNoTracking().OrderBy(i => i.Name)
            .Select(i => new IntegrationSummary(i.Id, i.Name, i.Platform, i.BaseUrl, i.ServerVersion, i.OAuthVersion, i.Enabled, i.Verification, i.CreatedAt, i.VerifiedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The integration's name, or null when there is none with this id.</summary>
    public async Task<string?> FindNameAsync(Guid integrationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Integrations.AsNoTracking().Where(i => i.Id == integrationId).Select(i => i.Name).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>What an OAuth 1 integration's link on its server must contain (public values only).</summary>
    public async Task<(string Name, string ConsumerKey, string PublicKeyPem, string Platform)?> FindOAuth1LinkValuesAsync(Guid integrationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var values = await db.Integrations.AsNoTracking()
            .Where(i => i.Id == integrationId && i.OAuthVersion == OAuthVersion.OAuth1)
            .Select(i => new { i.Name, i.ConsumerKey, i.PublicKeyPem, i.Platform })
            .SingleOrDefaultAsync(cancellationToken);
        return values is { ConsumerKey: { } key, PublicKeyPem: { } pem } ? (values.Name, key, pem, values.Platform) : null;
    }

    /// <summary>Runs the same rules as the wizard, then stores the integration with its secret encrypted.</summary>
    public Task<AdminResult<CreateIntegrationResult>> CreateAsync(Actor actor, NewIntegration request, CancellationToken cancellationToken = default) =>
        actions.RunAsync(actor, ct => ValidateAndStoreAsync(actor, request, ct), cancellationToken);

    private async Task<CreateIntegrationResult> ValidateAndStoreAsync(Actor actor, NewIntegration request, CancellationToken cancellationToken)
    {
        var cleaned = request with
        {
            Name = IntegrationValidator.CleanName(request.Name),
            ClientId = IntegrationValidator.Clean(request.ClientId),
            ClientSecret = IntegrationValidator.Clean(request.ClientSecret),
        };
        var validation = await validator.ValidateAsync(cleaned, cancellationToken);
        var errors = validation.Errors.Where(e => e.Severity == Severity.Error).ToList();
        if (errors.Count > 0)
        {
            return new CreateIntegrationResult(null, errors);
        }
        CertificateDetails? trustedCa = null;
        if (cleaned.TrustedCaPem is not null)
        {
            var (certificate, problem) = TrustedCertificatePem.Parse(cleaned.TrustedCaPem, clock.GetUtcNow());
            if (problem is not null)
            {
                return new CreateIntegrationResult(null, [new ValidationFailure(nameof(NewIntegration.TrustedCaPem), problem)]);
            }
            trustedCa = certificate;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Integrations.AnyAsync(i => i.Id == cleaned.Id, cancellationToken))
        {
            return new CreateIntegrationResult(null, [new ValidationFailure(nameof(NewIntegration.Id), "This integration was already created. Open the Integrations page to see it.")]);
        }

        var integration = new Integration
        {
            Id = cleaned.Id,
            Name = cleaned.Name,
            Platform = cleaned.Platform,
            BaseUrl = BaseUrlNormalizer.Normalize(cleaned.BaseUrl).Url!,
            ServerVersion = cleaned.ServerVersion,
            OAuthVersion = cleaned.OAuthVersion,
            ClientId = cleaned.OAuthVersion == OAuthVersion.OAuth2 ? cleaned.ClientId : "",
            ProtectedClientSecret = cleaned.OAuthVersion == OAuthVersion.OAuth2 ? protector.Protect(SecretPurpose.ClientSecret, cleaned.ClientSecret) : "",
            ConsumerKey = cleaned.OAuth1?.ConsumerKey,
            PublicKeyPem = cleaned.OAuth1?.PublicKeyPem,
            ProtectedPrivateKey = cleaned.OAuth1 is { } keys ? protector.Protect(SecretPurpose.PrivateKey, keys.PrivateKeyPem) : null,
            TrustedCaPem = trustedCa?.Pem,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Integrations.Add(integration);
        await audit.AddAsync(db, actor, AuditKind.IntegrationCreated, integration.Id,
            AuditDetails.Created(integration, platforms.DisplayNameOf(integration.Platform)), cancellationToken: cancellationToken);
        if (trustedCa is not null)
        {
            await audit.AddAsync(db, actor, AuditKind.CertificateTrusted, integration.Id, AuditDetails.Certificate(trustedCa), cancellationToken: cancellationToken);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DatabaseFailure.IsUniqueViolation(e))
        {
            // Another request stored the same integration, name or Consumer Key after the validator looked.
            return new CreateIntegrationResult(null, [await DescribeConflictAsync(integration, cancellationToken)]);
        }
        await changeListeners.ChangedAsync(cancellationToken);
        return new CreateIntegrationResult(integration, []);
    }

    private async Task<ValidationFailure> DescribeConflictAsync(Integration integration, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Integrations.AnyAsync(i => i.Id == integration.Id, cancellationToken))
        {
            return new ValidationFailure(nameof(NewIntegration.Id), "This integration was already created. Open the Integrations page to see it.");
        }
        if (await db.Integrations.AnyAsync(i => i.Name == integration.Name, cancellationToken))
        {
            return new ValidationFailure(nameof(NewIntegration.Name),
                $"An integration named \"{integration.Name}\" was created by someone else a moment ago. Choose another name.");
        }
        return new ValidationFailure(nameof(NewIntegration.OAuth1), "Another integration already uses this Consumer Key. Choose \"Start over\" to generate a new one.");
    }
}
