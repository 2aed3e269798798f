using Portal.Core.Platforms;
namespace Portal.Core.Integrations;

/// <summary>
/// One integration as its own page and the edit form show it: every setting but the secrets (the Client Secret and the
/// OAuth 1 private key never leave the server).
/// </summary>
public sealed record IntegrationDetails(
    Guid Id,
    string Name,
    string Platform,
    string BaseUrl,
    string? ServerVersion,
    OAuthVersion OAuthVersion,
    string ClientId,
    string? ConsumerKey,
    string? PublicKeyPem,
    bool Enabled,
    IntegrationVerification Verification,
    DateTimeOffset CreatedAt,
    DateTimeOffset? VerifiedAt,
    string? TrustedCaPem = null)
{
    internal static IntegrationDetails From(Integration i) => new(
        i.Id, i.Name, i.Platform, i.BaseUrl, i.ServerVersion, i.OAuthVersion, i.ClientId, i.ConsumerKey, i.PublicKeyPem,
        i.Enabled, i.Verification, i.CreatedAt, i.VerifiedAt, i.TrustedCaPem);

    /// <summary>The same integration as lists show it.</summary>
    public IntegrationSummary ToSummary() =>
        new(Id, Name, Platform, BaseUrl, ServerVersion, OAuthVersion, Enabled, Verification, CreatedAt, VerifiedAt);
}
