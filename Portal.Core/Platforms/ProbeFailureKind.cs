namespace Portal.Core.Platforms;

/// <summary>Why a platform's detection did not find its server at a base URL.</summary>
public enum ProbeFailureKind
{
    /// <summary>The host name could not be resolved.</summary>
    DnsFailure,

    /// <summary>Nothing listens at the host and port.</summary>
    ConnectionRefused,

    /// <summary>No answer within the probe timeout.</summary>
    Timeout,

    /// <summary>The https certificate does not chain to a trusted root.</summary>
    TlsUntrusted,

    /// <summary>Any other TLS problem: expired, wrong host name, revoked, handshake failure.</summary>
    TlsOther,

    /// <summary>HTTP 404: usually a missing or wrong context path.</summary>
    NotFound,

    /// <summary>HTTP 3xx; redirects are reported, never followed.</summary>
    Redirect,

    /// <summary>A 2xx answer that is not what this platform serves (HTML, other JSON, garbage): another product answers here.</summary>
    OtherServer,

    /// <summary>A login page (proxy, single sign-on or 2FA plugin) answered instead of the REST API.</summary>
    LoginPage,

    /// <summary>The server answers, but names another address as its own: the Base URL must be that address.</summary>
    BaseUrlMismatch,

    /// <summary>HTTP 5xx.</summary>
    ServerError,

    /// <summary>Any other HTTP status.</summary>
    UnexpectedStatus,

    /// <summary>Any other network failure.</summary>
    Unreachable,

    /// <summary>The host resolves to a link-local address (cloud metadata), so the portal did not connect.</summary>
    AddressRefused,
}
