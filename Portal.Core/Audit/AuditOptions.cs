using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Audit;

/// <summary>How long the audit log is kept: the <c>Audit</c> section of appsettings.json.</summary>
public sealed class AuditOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Audit";

    /// <summary>Entries older than this many days are deleted by the retention pruner (default 365).</summary>
    [Range(1, 36500, ErrorMessage = "Audit:RetentionDays must be between 1 and 36500 (days), e.g. 365.")]
    public int RetentionDays { get; set; } = 365;
}
