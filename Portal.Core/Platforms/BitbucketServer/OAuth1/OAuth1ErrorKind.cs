namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>Why an OAuth 1.0a step failed. Each kind comes with a message naming the cause and the fix.</summary>
public enum OAuth1ErrorKind
{
    /// <summary><c>timestamp_refused</c>: the portal's and Bitbucket's clocks differ by more than 5 minutes.</summary>
    TimestampRefused,

    /// <summary><c>signature_invalid</c>: the public key in Bitbucket does not match this integration's key.</summary>
    SignatureInvalid,

    /// <summary><c>consumer_key_unknown</c>: no application link has this Consumer Key.</summary>
    ConsumerKeyUnknown,

    /// <summary><c>permission_denied</c>: the user denied access, or the link does not allow it.</summary>
    PermissionDenied,

    /// <summary>
    /// <c>permission_denied</c> when asking for a request token, before anyone saw Bitbucket's page: the link does not
    /// let users grant this consumer access.
    /// </summary>
    UserGrantsNotAllowed,

    /// <summary><c>permission_unknown</c>: the token was exchanged before the user decided.</summary>
    PermissionUnknown,

    /// <summary><c>token_rejected</c>: the token is unknown, used, revoked or belongs to another consumer.</summary>
    TokenRejected,

    /// <summary><c>token_expired</c>: the request token outlived its 10 minutes.</summary>
    TokenExpired,

    /// <summary><c>nonce_used</c>: the same request reached Bitbucket twice.</summary>
    NonceUsed,

    /// <summary><c>signature_method_rejected</c>: Bitbucket accepts only RSA-SHA1.</summary>
    SignatureMethodRejected,

    /// <summary><c>parameter_rejected</c> or <c>parameter_absent</c>: a protocol parameter (often the callback) was refused.</summary>
    ParameterRejected,

    /// <summary>Any other <c>oauth_problem</c> Bitbucket reported.</summary>
    OtherProblem,

    /// <summary>The user chose Deny on Bitbucket's page (<c>oauth_verifier=denied</c> on the callback).</summary>
    UserDeclined,

    /// <summary>The callback did not belong to the sign-in this browser started, or lacked its verifier.</summary>
    CallbackInvalid,

    /// <summary>Bitbucket answered, but not with an OAuth answer (404, 5xx, HTML, missing fields).</summary>
    UnexpectedResponse,

    /// <summary>Bitbucket could not be reached: DNS, connection refused, timeout or TLS failure.</summary>
    NetworkFailure,

    /// <summary>The portal's host refused to make an RSA-SHA1 signature (a crypto policy without SHA-1, FIPS mode).</summary>
    SigningRefusedByHost,
}
