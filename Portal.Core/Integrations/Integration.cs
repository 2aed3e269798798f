using Portal.Core.Platforms;

namespace Portal.Core.Integrations;

/// <summary>Whether a sign-in through the integration has worked yet.</summary>
public enum IntegrationVerification
{
    NotVerified = 0,
    Verified = 1,
}

/// <summary>One configured connection to a Bitbucket Data Center / Server instance.</summary>
public sealed class Integration
{
    /// <summary>Fixed when the admin starts the wizard; the callback URL is built from it, so renaming never breaks a link.</summary>
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Platform { get; set; } = PlatformRegistry.BitbucketServer.Key;
    /// <summary>Normalised: scheme, host, port and context path; no trailing slash.</summary>
    public string BaseUrl { get; set; } = "";
    public string? BitbucketVersion { get; set; }
    public OAuthVersion OAuthVersion { get; set; } = OAuthVersion.OAuth2;
    public string ClientId { get; set; } = "";
    /// <summary>Encrypted with Data Protection (purpose <see cref="Security.SecretPurpose.ClientSecret"/>).</summary>
    public string ProtectedClientSecret { get; set; } = "";
    public bool Enabled { get; set; } = true;
    public IntegrationVerification Verification { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
}
