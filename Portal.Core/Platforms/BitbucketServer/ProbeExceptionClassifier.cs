using Portal.Core.Connections;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>Turns a request that got no answer into a <see cref="BitbucketProbeResult"/> that names the cause and the fix.</summary>
internal static class ProbeExceptionClassifier
{
    private const string ServerName = "Bitbucket";

    public static BitbucketProbeResult TimedOut(Uri uri, TimeSpan timeout) => From(ConnectionFailures.TimedOut(uri, timeout, ServerName));

    public static BitbucketProbeResult ConnectionDropped(Uri uri, IOException e) => From(ConnectionFailures.Dropped(uri, e, ServerName));

    public static BitbucketProbeResult Classify(Uri uri, HttpRequestException e, TimeSpan timeout, ServerConnectionOptions options) =>
        From(ConnectionFailures.Describe(uri, e, timeout, options, ServerName));

    private static BitbucketProbeResult From(ServerDetection failure) =>
        BitbucketProbeResult.Fail(failure.Failure!.Value, failure.Message, failure.Hint) with { PresentedChain = failure.PresentedChain };
}
