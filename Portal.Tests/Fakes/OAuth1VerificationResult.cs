using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Fakes;

/// <summary>
/// The outcome of <see cref="OAuth1SignatureVerifier.Verify"/>: success, or the <c>oauth_problem</c> Bitbucket would
/// report, with the extra problem fields it would add (<c>oauth_acceptable_timestamps</c>, <c>oauth_parameters_absent</c>).
/// </summary>
public sealed class OAuth1VerificationResult
{
    private OAuth1VerificationResult(
        string? problem,
        IReadOnlyDictionary<string, string> parameters,
        IReadOnlyList<KeyValuePair<string, string>> problemParameters)
    {
        Problem = problem;
        Parameters = parameters;
        ProblemParameters = problemParameters;
    }

    /// <summary>Null on success; otherwise an <c>oauth_problem</c> such as <c>signature_invalid</c>.</summary>
    public string? Problem { get; }

    /// <summary>True when the request passed every check.</summary>
    public bool Succeeded => Problem is null;

    /// <summary>The decoded Authorization header parameters (first value wins), for reading the token, verifier or callback.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Fields to report with the problem, besides <c>oauth_problem</c> itself.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ProblemParameters { get; }

    /// <summary>A decoded Authorization header parameter, or null.</summary>
    public string? this[string name] => Parameters.GetValueOrDefault(name);

    /// <summary>A passed check.</summary>
    public static OAuth1VerificationResult Success(IReadOnlyDictionary<string, string> parameters) => new(null, parameters, []);

    /// <summary>A failed check.</summary>
    public static OAuth1VerificationResult Failure(
        string problem, IReadOnlyDictionary<string, string> parameters, params KeyValuePair<string, string>[] problemParameters) =>
        new(problem, parameters, problemParameters);

    /// <summary>The problem as Bitbucket reports it in <c>WWW-Authenticate</c>: <c>OAuth realm="…", oauth_problem="…"</c>.</summary>
    public string ToWwwAuthenticate(string realm) => OAuth1AuthorizationHeader.Format(ProblemFields(), realm);

    /// <summary>The problem as Bitbucket reports it in the body: <c>oauth_problem=…&amp;…</c>.</summary>
    public string ToFormBody() => string.Join('&', ProblemFields().Select(
        p => $"{OAuth1Encoding.PercentEncode(p.Key)}={OAuth1Encoding.PercentEncode(p.Value)}"));

    private IEnumerable<KeyValuePair<string, string>> ProblemFields()
    {
        if (Problem is null)
        {
            throw new InvalidOperationException("A successful verification has no problem to report.");
        }

        return ProblemParameters.Prepend(new(OAuth1ProtocolParameter.Problem, Problem));
    }
}
