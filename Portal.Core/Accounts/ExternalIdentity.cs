namespace Portal.Core.Accounts;

/// <summary>
/// A portal user's account at one integration, keyed on the platform's numeric user id: usernames and slugs change
/// when a user is renamed, the id does not.
/// </summary>
public sealed class ExternalIdentity
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid UserId { get; set; }
    public PortalUser? User { get; set; }
    public Guid IntegrationId { get; set; }
    public long ExternalUserId { get; set; }
    public string Username { get; set; } = "";
    public string Slug { get; set; } = "";
    /// <summary>Encrypted (purpose <see cref="Security.SecretPurpose.AccessToken"/>).</summary>
    public string? ProtectedAccessToken { get; set; }
    public DateTimeOffset? AccessTokenExpiresAt { get; set; }
    /// <summary>Encrypted (purpose <see cref="Security.SecretPurpose.RefreshToken"/>); servers rotate it on each refresh.</summary>
    public string? ProtectedRefreshToken { get; set; }
    /// <summary>OAuth 1: the access token's secret, encrypted (purpose <see cref="Security.SecretPurpose.OAuth1TokenSecret"/>).</summary>
    public string? ProtectedOAuth1TokenSecret { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSignInAt { get; set; }
}
