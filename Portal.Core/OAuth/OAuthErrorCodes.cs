namespace Portal.Core.OAuth;

/// <summary>
/// The OAuth error codes the portal knows: OAuth 2's (RFC 6749, authorize and token endpoints) and the OAuth 1
/// <c>oauth_problem</c> names servers report. Only these are stored with a sign-in event: a callback's
/// <c>error</c> is whatever its caller typed, so an unknown value is dropped, never kept or shown.
/// </summary>
public static class OAuthErrorCodes
{
    /// <summary>The longest code in the set; the stored column is sized from it.</summary>
    public const int MaxLength = 32;

    private static readonly HashSet<string> Codes = new(StringComparer.Ordinal)
    {
        // OAuth 2 authorize endpoint (RFC 6749 4.1.2.1)
        "invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type", "invalid_scope",
        "server_error", "temporarily_unavailable",
        // OAuth 2 token endpoint (RFC 6749 5.2)
        "invalid_client", "invalid_grant", "unsupported_grant_type",
        // OAuth 1 problem reporting (oauth.net/problem_reporting)
        "timestamp_refused", "signature_invalid", "consumer_key_unknown", "permission_denied", "permission_unknown",
        "token_rejected", "token_revoked", "token_expired", "nonce_used", "signature_method_rejected",
        "parameter_rejected", "parameter_absent", "version_rejected",
    };

    /// <summary><paramref name="code"/> when it is a known code, otherwise <c>null</c>.</summary>
    public static string? Known(string? code) => code is not null && Codes.TryGetValue(code, out var known) ? known : null;
}
