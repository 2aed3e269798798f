using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.RateLimiting;

/// <summary>
/// How many requests one client made to one rate-limited policy in one fixed window, counted in the database so every
/// portal instance sharing it counts together.
/// </summary>
public sealed class RateLimitWindow
{
    public string Policy { get; set; } = "";
    public string ClientKey { get; set; } = "";
    /// <summary>The window's start in Unix seconds (a plain number, so the upsert's SQL needs no value conversion).</summary>
    public long WindowStart { get; set; }
    public int Count { get; set; }
}

internal sealed class RateLimitWindowConfiguration : IEntityTypeConfiguration<RateLimitWindow>
{
    public void Configure(EntityTypeBuilder<RateLimitWindow> builder)
    {
        builder.HasKey(w => new { w.Policy, w.ClientKey, w.WindowStart });
        builder.Property(w => w.Policy).HasMaxLength(64);
        // An IPv6 /64 with its suffix is at most 43 characters; the margin is for "unknown" and future keys.
        builder.Property(w => w.ClientKey).HasMaxLength(64);
        builder.HasIndex(w => w.WindowStart);
    }
}
