namespace Portal.Core.Platforms.GitLabSelfManaged;

/// <summary>Why a request to GitLab did not give what the portal asked for.</summary>
public enum GitLabFailureKind
{
    /// <summary>The host name could not be resolved.</summary>
    DnsFailure,

    /// <summary>Nothing listens at the host and port.</summary>
    ConnectionRefused,

    /// <summary>No answer in time.</summary>
    Timeout,

    /// <summary>TLS failed: invalid certificate (expired, wrong host), or no TLS on that port.</summary>
    Tls,

    /// <summary>The certificate does not chain to a root the portal trusts; an administrator may trust its CA for the integration.</summary>
    TlsUntrusted,

    /// <summary>The host resolves to a link-local address (cloud metadata), so the portal did not connect.</summary>
    AddressRefused,

    /// <summary>HTTP 404: no GitLab at this address, usually a missing or wrong relative URL root.</summary>
    NotFound,

    /// <summary>HTTP 3xx; redirects are reported, never followed.</summary>
    Redirect,

    /// <summary>A sign-in page (proxy, single sign-on gateway) answered instead of GitLab.</summary>
    SignInPage,

    /// <summary>A 2xx answer that is not what GitLab sends (another web page, other JSON, broken JSON).</summary>
    NotGitLab,

    /// <summary>GitLab answered, but names another address as its own (issuer).</summary>
    IssuerMismatch,

    /// <summary>HTTP 5xx.</summary>
    ServerError,

    /// <summary>Any other HTTP status.</summary>
    UnexpectedStatus,

    /// <summary>Any other network failure.</summary>
    Unreachable,

    /// <summary>HTTP 401 from the API: no, unknown, expired or revoked token.</summary>
    Unauthorized,

    /// <summary>HTTP 403 <c>insufficient_scope</c>: the token lacks <c>read_user</c>.</summary>
    InsufficientScope,

    /// <summary>Any other HTTP 403 from the API (blocked or deactivated account).</summary>
    Forbidden,
}

/// <summary>A failure the administrator or user can act on.</summary>
/// <param name="Kind">What went wrong, for code.</param>
/// <param name="Message">A full sentence naming the cause and the fix.</param>
/// <param name="Hint">An optional further suggestion.</param>
public sealed record GitLabFailure(GitLabFailureKind Kind, string Message, string? Hint = null)
{
    /// <summary>For <see cref="GitLabFailureKind.TlsUntrusted"/>: the chain the server presented, its own certificate first.</summary>
    public IReadOnlyList<Security.CertificateDetails> PresentedChain { get; init; } = [];
}
