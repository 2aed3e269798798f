namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>
/// An <c>oauth_problem</c> report (OAuth Problem Reporting extension) as Bitbucket sends it: in a
/// <c>WWW-Authenticate: OAuth realm="…", oauth_problem="…"</c> header and/or a form body <c>oauth_problem=…</c>, with
/// optional <c>oauth_problem_advice</c>, <c>oauth_acceptable_timestamps</c> and similar fields.
/// </summary>
public sealed class OAuth1Problem
{
    private OAuth1Problem(string name, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        Name = name;
        Parameters = parameters;
    }

    /// <summary>The <c>oauth_problem</c> value, such as <c>timestamp_refused</c>.</summary>
    public string Name { get; }

    /// <summary>Every field of the report (header fields first, then body fields).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; }

    /// <summary>The first field named <paramref name="name"/>, or null.</summary>
    public string? this[string name] => Parameters.FirstOrDefault(p => p.Key == name).Value;

    /// <summary>Bitbucket's free-text <c>oauth_problem_advice</c>, if any.</summary>
    public string? Advice => this[OAuth1ProtocolParameter.ProblemAdvice];

    /// <summary>
    /// Reads a problem from <c>WWW-Authenticate</c> header values and/or a form-encoded body; null when neither names an
    /// <c>oauth_problem</c>.
    /// </summary>
    public static OAuth1Problem? Read(IEnumerable<string>? wwwAuthenticateValues, string? body)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var value in wwwAuthenticateValues ?? [])
        {
            parameters.AddRange(OAuth1AuthorizationHeader.Parse(value) ?? []);
        }

        if (!string.IsNullOrWhiteSpace(body) && body.Contains(OAuth1ProtocolParameter.Problem + "=", StringComparison.Ordinal))
        {
            parameters.AddRange(OAuth1Form.Parse(body).Pairs);
        }

        var name = parameters.FirstOrDefault(p => p.Key == OAuth1ProtocolParameter.Problem).Value;
        return string.IsNullOrWhiteSpace(name) ? null : new OAuth1Problem(name.Trim(), parameters);
    }
}
