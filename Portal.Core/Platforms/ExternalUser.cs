namespace Portal.Core.Platforms;

/// <summary>The person behind an access token, as the platform knows them.</summary>
/// <param name="Id">The platform's stable numeric user id: names change when a user is renamed, the id does not.</param>
/// <param name="Name">The login name.</param>
/// <param name="Slug">The name as it appears in the platform's URLs (the login name where the platform has no slug).</param>
public sealed record ExternalUser(long Id, string Name, string Slug, string DisplayName, string? Email, string? AvatarUrl);
