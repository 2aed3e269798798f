namespace Portal.Core.Setup;

/// <summary>The one current setup link's token, stored as a hash only.</summary>
public sealed class SetupToken
{
    public int Id { get; set; }
    public string TokenHash { get; set; } = "";
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}
