using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Audit;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        // The page lists newest first; the pruner deletes by age.
        builder.HasIndex(e => e.OccurredAt);
        builder.HasIndex(e => new { e.IntegrationId, e.OccurredAt });
        builder.HasIndex(e => new { e.ActorUserId, e.OccurredAt });
        builder.HasIndex(e => new { e.SubjectUserId, e.OccurredAt });
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(64);
        builder.Property(e => e.ActorKind).HasConversion<string>().HasMaxLength(32);
        builder.Property(e => e.ActorName).HasMaxLength(AuditLog.MaxNameLength);
        builder.Property(e => e.SubjectName).HasMaxLength(AuditLog.MaxNameLength);
        builder.Property(e => e.IntegrationName).HasMaxLength(AuditLog.MaxNameLength);
        builder.Property(e => e.ClientAddress).HasMaxLength(64);
        builder.Property(e => e.Details).HasMaxLength(AuditLog.MaxDetailsLength);
    }
}
