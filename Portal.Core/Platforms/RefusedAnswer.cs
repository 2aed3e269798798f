namespace Portal.Core.Platforms;

/// <summary>A non-success answer to an identity request, kept after the response is gone.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="WwwAuthenticate">The <c>WWW-Authenticate</c> header values.</param>
/// <param name="Body">The start of the body (at most <see cref="MaxBodyLength"/> characters).</param>
/// <param name="Date">The server's clock from the <c>Date</c> header, if sent.</param>
public sealed record RefusedAnswer(int StatusCode, IReadOnlyList<string> WwwAuthenticate, string Body, DateTimeOffset? Date)
{
    /// <summary>How much of the body is kept: enough for a form-encoded problem report, not a whole error page.</summary>
    public const int MaxBodyLength = 4096;
}
