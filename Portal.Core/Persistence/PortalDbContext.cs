using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.RateLimiting;
using Portal.Core.Sessions;
using Portal.Core.Setup;
using Portal.Core.Status;

namespace Portal.Core.Persistence;

/// <summary>
/// The portal's database on SQLite (the embedded default); <see cref="PostgreSqlPortalDbContext"/> is the same model on
/// PostgreSQL. Each has its own migrations, which EF Core tells apart by context type.
/// </summary>
public class PortalDbContext : DbContext, IDataProtectionKeyContext
{
    public PortalDbContext(DbContextOptions<PortalDbContext> options) : base(options)
    {
    }

    protected PortalDbContext(DbContextOptions options) : base(options)
    {
    }

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<SetupToken> SetupTokens => Set<SetupToken>();
    public DbSet<SetupState> SetupStates => Set<SetupState>();
    public DbSet<PortalSession> Sessions => Set<PortalSession>();
    public DbSet<PortalUser> Users => Set<PortalUser>();
    public DbSet<Integration> Integrations => Set<Integration>();
    public DbSet<CredentialReplacement> CredentialReplacements => Set<CredentialReplacement>();
    public DbSet<ExternalIdentity> ExternalIdentities => Set<ExternalIdentity>();
    public DbSet<PendingAuthorization> PendingAuthorizations => Set<PendingAuthorization>();
    public DbSet<SignInEvent> SignInEvents => Set<SignInEvent>();
    public DbSet<ProbeResult> ProbeResults => Set<ProbeResult>();
    public DbSet<StatusSchedulerLease> StatusSchedulerLeases => Set<StatusSchedulerLease>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<RateLimitWindow> RateLimitWindows => Set<RateLimitWindow>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset text; stored as a sortable integer instead.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
}
