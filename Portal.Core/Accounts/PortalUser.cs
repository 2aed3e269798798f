namespace Portal.Core.Accounts;

/// <summary>A person who signed in through an integration.</summary>
public sealed class PortalUser
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public string DisplayName { get; set; } = "";
    public string? Email { get; set; }
    public string? AvatarUrl { get; set; }
    public bool IsAdministrator { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }
    public Guid? LastSignInIntegrationId { get; set; }
}
