using Portal.Core.Platforms;

namespace Portal.Core.Integrations;

/// <summary>Whether a sign-in through the integration has worked yet.</summary>
public enum IntegrationVerification
{
    NotVerified = 0,
    Verified = 1,
}

/// <summary>One configured connection to a code host server of one platform (<see cref="Platform"/>).</summary>
public sealed class Integration
{
    /// <summary>Fixed when the admin starts the wizard; the callback URL is built from it, so renaming never breaks a link.</summary>
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The key of its platform (<see cref="Platforms.PlatformKind.Key"/>).</summary>
    public string Platform { get; set; } = "";
    /// <summary>Normalised: scheme, host, port and context path; no trailing slash.</summary>
    public string BaseUrl { get; set; } = "";
    public string? ServerVersion { get; set; }
    public OAuthVersion OAuthVersion { get; set; } = OAuthVersion.OAuth2;
    /// <summary>OAuth 2: the application link's Client ID (empty for OAuth 1).</summary>
    public string ClientId { get; set; } = "";
    /// <summary>OAuth 2: encrypted with Data Protection (purpose <see cref="Security.SecretPurpose.ClientSecret"/>).</summary>
    public string ProtectedClientSecret { get; set; } = "";
    /// <summary>OAuth 1: the Consumer Key the portal generated and the admin entered in Incoming Authentication.</summary>
    public string? ConsumerKey { get; set; }
    /// <summary>OAuth 1: the public key pasted into the server (not secret; shown again on request).</summary>
    public string? PublicKeyPem { get; set; }
    /// <summary>OAuth 1: the private key, encrypted (purpose <see cref="Security.SecretPurpose.PrivateKey"/>).</summary>
    public string? ProtectedPrivateKey { get; set; }
    /// <summary>
    /// A CA certificate (or self-signed server certificate) as PEM that this integration alone trusts for its server's
    /// https certificate, besides the system's roots and Servers:TrustedCaFile; <c>null</c> for none. Public, not secret.
    /// </summary>
    public string? TrustedCaPem { get; set; }
    public bool Enabled { get; set; } = true;
    public IntegrationVerification Verification { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
}
