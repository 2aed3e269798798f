namespace Portal.Core.Integrations;

/// <summary>What the Add Integration wizard submits.</summary>
/// <param name="Id">Fixed when the wizard started; the callback URL the admin copied contains it.</param>
/// <param name="BitbucketVersion">The version the live check found; creation needs a successful check.</param>
public sealed record NewIntegration(
    Guid Id,
    string Name,
    string Platform,
    string BaseUrl,
    string? BitbucketVersion,
    OAuthVersion OAuthVersion,
    string ClientId,
    string ClientSecret);
