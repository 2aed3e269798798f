using Portal.Core.Security;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>What a <see cref="BitbucketVersionProbe"/> found at a base URL.</summary>
/// <param name="Version">The detected Bitbucket version; <c>null</c> on failure.</param>
/// <param name="Failure">Why Bitbucket was not found; <c>null</c> on success.</param>
/// <param name="Message">A full sentence for the administrator: "Bitbucket 8.9.1", or the cause and the fix.</param>
/// <param name="Hint">An optional further suggestion, shown below the message.</param>
public sealed record BitbucketProbeResult(BitbucketVersion? Version, ProbeFailureKind? Failure, string Message, string? Hint)
{
    /// <summary>Whether Bitbucket answered with its version.</summary>
    public bool Found => Version is not null && Failure is null;

    /// <summary>Which OAuth version the detected Bitbucket calls for; <c>null</c> when no version was found.</summary>
    public OAuthCompatibility? Compatibility => Version is { } version ? BitbucketOAuthRules.Assess(version) : null;

    /// <summary>
    /// For an untrusted certificate (<see cref="ProbeFailureKind.TlsUntrusted"/>): the chain the server presented, its
    /// own certificate first, so an administrator can decide to trust its last one for this integration.
    /// </summary>
    public IReadOnlyList<CertificateDetails> PresentedChain { get; init; } = [];

    internal static BitbucketProbeResult Fail(ProbeFailureKind failure, string message, string? hint = null) =>
        new(null, failure, message, hint);
}
