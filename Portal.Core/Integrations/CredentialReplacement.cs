using Portal.Core.Platforms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Integrations;

/// <summary>
/// New credentials waiting to be verified for one integration (at most one per integration): an OAuth 2 Client Secret
/// or an OAuth 1 key pair. Sign-ins keep using the integration's current credentials until a verification with these
/// succeeds; then they are swapped in and this row is deleted. Secret parts are encrypted like the integration's own.
/// </summary>
public sealed class CredentialReplacement
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid IntegrationId { get; set; }

    /// <summary>OAuth 2: the new Client Secret, encrypted (purpose <see cref="Security.SecretPurpose.ClientSecret"/>).</summary>
    public string? ProtectedClientSecret { get; set; }

    /// <summary>OAuth 1: the new public key for the server's incoming authentication (not secret).</summary>
    public string? PublicKeyPem { get; set; }

    /// <summary>OAuth 1: the new private key, encrypted (purpose <see cref="Security.SecretPurpose.PrivateKey"/>).</summary>
    public string? ProtectedPrivateKey { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Why the latest verification with these credentials failed (the step and the cause), for the page to show.</summary>
    public string? LastFailure { get; set; }

    public DateTimeOffset? LastFailedAt { get; set; }

    /// <summary>Which credentials these are.</summary>
    public CredentialKind Kind => ProtectedClientSecret is null ? CredentialKind.KeyPair : CredentialKind.ClientSecret;

    /// <summary>
    /// A detached copy of <paramref name="integration"/> that carries these credentials instead of its own, for a
    /// verification's sign-in round trip; the stored integration is not touched.
    /// </summary>
    public Integration ApplyTo(Integration integration)
    {
        ArgumentNullException.ThrowIfNull(integration);
        return new Integration
        {
            Id = integration.Id,
            Name = integration.Name,
            Platform = integration.Platform,
            BaseUrl = integration.BaseUrl,
            ServerVersion = integration.ServerVersion,
            OAuthVersion = integration.OAuthVersion,
            ClientId = integration.ClientId,
            ProtectedClientSecret = ProtectedClientSecret ?? integration.ProtectedClientSecret,
            ConsumerKey = integration.ConsumerKey,
            PublicKeyPem = PublicKeyPem ?? integration.PublicKeyPem,
            ProtectedPrivateKey = ProtectedPrivateKey ?? integration.ProtectedPrivateKey,
            Enabled = integration.Enabled,
            Verification = integration.Verification,
            CreatedAt = integration.CreatedAt,
            VerifiedAt = integration.VerifiedAt,
            TrustedCaPem = integration.TrustedCaPem,
        };
    }
}

/// <summary>The credentials an integration signs in with, by OAuth version.</summary>
public enum CredentialKind
{
    /// <summary>OAuth 2: the application link's Client Secret.</summary>
    ClientSecret = 0,
    /// <summary>OAuth 1: the RSA key pair whose public key is in the link's Incoming Authentication.</summary>
    KeyPair = 1,
}

internal sealed class CredentialReplacementConfiguration : IEntityTypeConfiguration<CredentialReplacement>
{
    public void Configure(EntityTypeBuilder<CredentialReplacement> builder)
    {
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.HasIndex(r => r.IntegrationId).IsUnique();
        builder.Property(r => r.LastFailure).HasMaxLength(4000);
        builder.HasOne<Integration>().WithMany().HasForeignKey(r => r.IntegrationId).OnDelete(DeleteBehavior.Cascade);
        builder.Ignore(r => r.Kind);
    }
}
