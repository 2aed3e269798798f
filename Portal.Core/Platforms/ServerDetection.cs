using Portal.Core.Security;

namespace Portal.Core.Platforms;

/// <summary>What a platform's anonymous check found at a base URL (<see cref="IPlatform.DetectAsync"/>).</summary>
/// <param name="Version">The server's version as it reports it; <c>null</c> when the server was not found or does not
/// tell anonymous callers (then <see cref="Found"/> still holds and the version is read after the first sign-in).</param>
/// <param name="Failure">Why the server was not found; <c>null</c> on success.</param>
/// <param name="Message">What was found, as a name without a full stop (product and version), or a sentence with the cause and the fix.</param>
/// <param name="Hint">An optional further suggestion, shown below the message.</param>
public sealed record ServerDetection(string? Version, ProbeFailureKind? Failure, string Message, string? Hint)
{
    /// <summary>Whether the platform's server answers at the base URL.</summary>
    public bool Found => Failure is null;

    /// <summary>Which OAuth version the server calls for; <c>null</c> when it was not found.</summary>
    public OAuthCompatibility? Compatibility { get; init; }

    /// <summary>
    /// For an untrusted certificate (<see cref="ProbeFailureKind.TlsUntrusted"/>): the chain the server presented, its
    /// own certificate first, so an administrator can decide to trust its last one for this integration.
    /// </summary>
    public IReadOnlyList<CertificateDetails> PresentedChain { get; init; } = [];

    /// <summary>A failure with its message.</summary>
    public static ServerDetection Fail(ProbeFailureKind failure, string message, string? hint = null) => new(null, failure, message, hint);
}
