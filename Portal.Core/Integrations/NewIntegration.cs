using Portal.Core.Platforms;
namespace Portal.Core.Integrations;

/// <summary>What the Add Integration wizard submits.</summary>
/// <param name="Id">Fixed when the wizard started; the callback URL the admin copied contains it.</param>
/// <param name="ServerVersion">The version the live check found; creation needs a successful check.</param>
/// <param name="ClientId">OAuth 2 only.</param>
/// <param name="ClientSecret">OAuth 2 only.</param>
/// <param name="OAuth1">OAuth 1 only: the keys the wizard generated and showed.</param>
/// <param name="TrustedCaPem">The certificate the admin chose to trust for this integration's server, as PEM; <c>null</c> for none.</param>
/// <param name="ServerDetected">Whether the live check found the server; needed where the platform tells its version only
/// after sign-in (for the others a readable <paramref name="ServerVersion"/> shows it).</param>
public sealed record NewIntegration(
    Guid Id,
    string Name,
    string Platform,
    string BaseUrl,
    string? ServerVersion,
    OAuthVersion OAuthVersion,
    string ClientId,
    string ClientSecret,
    OAuth1Keys? OAuth1 = null,
    string? TrustedCaPem = null,
    bool ServerDetected = false)
{
    /// <summary>Never prints the secrets.</summary>
    public override string ToString() => $"NewIntegration {{ Id = {Id}, Name = {Name}, BaseUrl = {BaseUrl}, OAuthVersion = {OAuthVersion} }}";
}
