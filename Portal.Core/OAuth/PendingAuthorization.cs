namespace Portal.Core.OAuth;

/// <summary>Why the browser was sent to the server.</summary>
public enum AuthorizationPurpose
{
    /// <summary>A person signs in to the portal.</summary>
    SignIn = 0,
    /// <summary>An administrator checks that the integration works; the portal session is left as it is.</summary>
    Verify = 1,
}

/// <summary>
/// An authorization request on its way through the server: created when the browser is sent there, consumed once when
/// it comes back. Only hashes of the state and of the browser's correlation cookie are stored.
/// </summary>
public sealed class PendingAuthorization
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public string StateHash { get; set; } = "";
    public string CorrelationHash { get; set; } = "";
    public Guid IntegrationId { get; set; }
    public AuthorizationPurpose Purpose { get; set; }
    /// <summary>
    /// Set when a verification tests new credentials (<see cref="Integrations.CredentialReplacement"/>) instead of the
    /// current ones. No foreign key: when they are discarded meanwhile, the callback must notice and swap nothing.
    /// </summary>
    public Guid? CredentialReplacementId { get; set; }
    /// <summary>
    /// The flow's secret, encrypted: the PKCE verifier for OAuth 2 (purpose <see cref="Security.SecretPurpose.PkceVerifier"/>),
    /// the request token secret for OAuth 1 (purpose <see cref="Security.SecretPurpose.OAuth1TokenSecret"/>).
    /// </summary>
    public string ProtectedSecret { get; set; } = "";
    public string ReturnUrl { get; set; } = "/";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? ConsumedAt { get; set; }
}
