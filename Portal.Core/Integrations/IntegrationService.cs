using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;
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
    Guid Id, string Name, string Platform, string BaseUrl, string? BitbucketVersion, OAuthVersion OAuthVersion,
    bool Enabled, IntegrationVerification Verification, DateTimeOffset CreatedAt, DateTimeOffset? VerifiedAt);

public sealed class IntegrationService(IDbContextFactory<PortalDbContext> dbFactory, IntegrationValidator validator, SecretProtector protector, TimeProvider clock)
{
    public async Task<IReadOnlyList<IntegrationSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Integrations.AsNoTracking().OrderBy(i => i.Name)
            .Select(i => new IntegrationSummary(i.Id, i.Name, i.Platform, i.BaseUrl, i.BitbucketVersion, i.OAuthVersion, i.Enabled, i.Verification, i.CreatedAt, i.VerifiedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>What an OAuth 1 integration's application link in Bitbucket must contain (public values only).</summary>
    public async Task<(string Name, string ConsumerKey, string PublicKeyPem)?> FindOAuth1LinkValuesAsync(Guid integrationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var values = await db.Integrations.AsNoTracking()
            .Where(i => i.Id == integrationId && i.OAuthVersion == OAuthVersion.OAuth1)
            .Select(i => new { i.Name, i.ConsumerKey, i.PublicKeyPem })
            .SingleOrDefaultAsync(cancellationToken);
        return values is { ConsumerKey: { } key, PublicKeyPem: { } pem } ? (values.Name, key, pem) : null;
    }

    /// <summary>
    /// A disabled integration offers no sign-in button and is not checked by the status scheduler; nothing is deleted.
    /// Returns false when the integration does not exist.
    /// </summary>
    public async Task<bool> SetEnabledAsync(Guid integrationId, bool enabled, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Integrations.Where(i => i.Id == integrationId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Enabled, enabled), cancellationToken) == 1;
    }

    /// <summary>Runs the same rules as the wizard, then stores the integration with its secret encrypted.</summary>
    public async Task<CreateIntegrationResult> CreateAsync(NewIntegration request, CancellationToken cancellationToken = default)
    {
        var cleaned = request with
        {
            Name = IntegrationValidator.Clean(request.Name),
            ClientId = IntegrationValidator.Clean(request.ClientId),
            ClientSecret = IntegrationValidator.Clean(request.ClientSecret),
        };
        var validation = await validator.ValidateAsync(cleaned, cancellationToken);
        var errors = validation.Errors.Where(e => e.Severity == Severity.Error).ToList();
        if (errors.Count > 0)
        {
            return new CreateIntegrationResult(null, errors);
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
            BitbucketVersion = cleaned.BitbucketVersion,
            OAuthVersion = cleaned.OAuthVersion,
            ClientId = cleaned.OAuthVersion == OAuthVersion.OAuth2 ? cleaned.ClientId : "",
            ProtectedClientSecret = cleaned.OAuthVersion == OAuthVersion.OAuth2 ? protector.Protect(SecretPurpose.ClientSecret, cleaned.ClientSecret) : "",
            ConsumerKey = cleaned.OAuth1?.ConsumerKey,
            PublicKeyPem = cleaned.OAuth1?.PublicKeyPem,
            ProtectedPrivateKey = cleaned.OAuth1 is { } keys ? protector.Protect(SecretPurpose.PrivateKey, keys.PrivateKeyPem) : null,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Integrations.Add(integration);
        await db.SaveChangesAsync(cancellationToken);
        return new CreateIntegrationResult(integration, []);
    }
}
