using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Status;

/// <summary>
/// The one row that says which portal instance runs the background status passes (<see cref="IntegrationStatusScheduler"/>)
/// when several share a database. Times are milliseconds since 1970 by the database's clock, so instances on machines
/// whose clocks disagree still agree on when the lease ends.
/// </summary>
public sealed class StatusSchedulerLease
{
    /// <summary>The lease's name (there is one: <see cref="StatusSchedulerLeaseStore.LeaseName"/>).</summary>
    public string Name { get; set; } = "";

    /// <summary>The instance that holds (or last held) the lease, as <see cref="InstanceIdentity.Name"/> describes it.</summary>
    public string Holder { get; set; } = "";

    /// <summary>When the lease ends unless its holder renews it; 0 once released.</summary>
    public long ExpiresAtUnixMilliseconds { get; set; }

    /// <summary>When the last background pass started, by whichever instance ran it.</summary>
    public long LastPassStartedAtUnixMilliseconds { get; set; }
}

internal sealed class StatusSchedulerLeaseConfiguration : IEntityTypeConfiguration<StatusSchedulerLease>
{
    public void Configure(EntityTypeBuilder<StatusSchedulerLease> builder)
    {
        builder.ToTable(StatusSchedulerLeaseStore.Table);
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasMaxLength(64);
        builder.Property(l => l.Holder).HasMaxLength(InstanceIdentity.MaxNameLength);
    }
}
