using Portal.Core.Platforms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Accounts;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Security;
using Portal.Core.Sessions;
using Portal.Core.Setup;
using Portal.Core.Status;

namespace Portal.Core.Persistence;

internal sealed class SetupTokenConfiguration : IEntityTypeConfiguration<SetupToken>
{
    public void Configure(EntityTypeBuilder<SetupToken> builder)
    {
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.HasIndex(t => t.TokenHash).IsUnique();
    }
}

internal sealed class SetupStateConfiguration : IEntityTypeConfiguration<SetupState>
{
    public void Configure(EntityTypeBuilder<SetupState> builder) => builder.Property(s => s.Id).ValueGeneratedNever();
}

internal sealed class PortalSessionConfiguration : IEntityTypeConfiguration<PortalSession>
{
    public void Configure(EntityTypeBuilder<PortalSession> builder)
    {
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Kind).HasConversion<int>();
        builder.Property(s => s.EndReason).HasConversion<int?>();
        builder.HasIndex(s => s.UserId);
        builder.HasIndex(s => s.IntegrationId);
        builder.HasIndex(s => s.ExpiresAt);
        builder.HasOne<PortalUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        // A withdrawn setup link leaves its sessions behind without a link, so they can say why they ended.
        builder.HasOne<SetupToken>().WithMany().HasForeignKey(s => s.SetupTokenId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class PortalUserConfiguration : IEntityTypeConfiguration<PortalUser>
{
    public void Configure(EntityTypeBuilder<PortalUser> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(256);
        builder.Property(u => u.Email).HasMaxLength(320);
        builder.Property(u => u.AvatarUrl).HasMaxLength(2048);
        builder.HasIndex(u => u.IsAdministrator);
    }
}

internal sealed class IntegrationConfiguration : IEntityTypeConfiguration<Integration>
{
    public void Configure(EntityTypeBuilder<Integration> builder)
    {
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Name).HasMaxLength(IntegrationValidator.MaxNameLength).UseCollation("NOCASE");
        builder.HasIndex(i => i.Name).IsUnique();
        builder.Property(i => i.Platform).HasMaxLength(64);
        builder.Property(i => i.BaseUrl).HasMaxLength(2048);
        builder.Property(i => i.ServerVersion).HasMaxLength(64);
        builder.Property(i => i.ClientId).HasMaxLength(256);
        builder.Property(i => i.ConsumerKey).HasMaxLength(128);
        builder.Property(i => i.TrustedCaPem).HasMaxLength(TrustedCertificatePem.MaxLength);
        builder.HasIndex(i => i.ConsumerKey).IsUnique();
        builder.Property(i => i.OAuthVersion).HasConversion<int>();
        builder.Property(i => i.Verification).HasConversion<int>();
    }
}

internal sealed class ExternalIdentityConfiguration : IEntityTypeConfiguration<ExternalIdentity>
{
    public void Configure(EntityTypeBuilder<ExternalIdentity> builder)
    {
        builder.HasIndex(e => new { e.IntegrationId, e.ExternalUserId }).IsUnique();
        builder.HasOne(e => e.User).WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Integration>().WithMany().HasForeignKey(e => e.IntegrationId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(e => e.Username).HasMaxLength(256);
        builder.Property(e => e.Slug).HasMaxLength(256);
    }
}

internal sealed class PendingAuthorizationConfiguration : IEntityTypeConfiguration<PendingAuthorization>
{
    public void Configure(EntityTypeBuilder<PendingAuthorization> builder)
    {
        builder.HasIndex(p => p.StateHash).IsUnique();
        builder.HasIndex(p => p.ExpiresAt);
        builder.Property(p => p.StateHash).HasMaxLength(64);
        builder.Property(p => p.CorrelationHash).HasMaxLength(64);
        builder.Property(p => p.ReturnUrl).HasMaxLength(2048);
        builder.Property(p => p.Purpose).HasConversion<int>();
        builder.HasOne<Integration>().WithMany().HasForeignKey(p => p.IntegrationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SignInEventConfiguration : IEntityTypeConfiguration<SignInEvent>
{
    public void Configure(EntityTypeBuilder<SignInEvent> builder)
    {
        builder.HasIndex(e => new { e.IntegrationId, e.OccurredAt });
        // The retention pruner deletes by age across all integrations.
        builder.HasIndex(e => e.OccurredAt);
        builder.Property(e => e.FailedStep).HasConversion<int?>();
        builder.Property(e => e.FailureReason).HasMaxLength(SignInEvent.MaxFailureReasonLength);
        builder.Property(e => e.ErrorCode).HasMaxLength(OAuthErrorCodes.MaxLength);
        builder.HasOne<Integration>().WithMany().HasForeignKey(e => e.IntegrationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProbeResultConfiguration : IEntityTypeConfiguration<ProbeResult>
{
    public void Configure(EntityTypeBuilder<ProbeResult> builder)
    {
        builder.HasIndex(r => new { r.IntegrationId, r.CheckedAt });
        builder.HasIndex(r => r.CheckedAt);
        builder.Property(r => r.Status).HasConversion<int>();
        builder.Property(r => r.Problem).HasConversion<int>();
        builder.Property(r => r.Summary).HasMaxLength(2048);
        builder.Property(r => r.ServerVersion).HasMaxLength(64);
        builder.Property(r => r.CheckedSettings).HasMaxLength(64);
        builder.HasOne<Integration>().WithMany().HasForeignKey(r => r.IntegrationId).OnDelete(DeleteBehavior.Cascade);
    }
}
