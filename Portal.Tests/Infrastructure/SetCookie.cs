using System.Text.RegularExpressions;

namespace Portal.Tests.Infrastructure;

/// <summary>One Set-Cookie header, read the way a test needs it: name, value and the attributes in lower case.</summary>
public sealed record SetCookie(string Name, string Value, IReadOnlyDictionary<string, string> Attributes, string Raw)
{
    public bool Secure => Attributes.ContainsKey("secure");

    public bool HttpOnly => Attributes.ContainsKey("httponly");

    public string? Path => Attributes.GetValueOrDefault("path");

    /// <summary>A deletion: empty value and an expiry in the past.</summary>
    public bool Deletes => Value.Length == 0 && Attributes.TryGetValue("expires", out var expires)
        && DateTimeOffset.TryParse(expires, System.Globalization.CultureInfo.InvariantCulture, out var at) && at < DateTimeOffset.UtcNow;

    public static SetCookie Parse(string header)
    {
        var parts = header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var nameValue = parts[0].Split('=', 2);
        var attributes = parts.Skip(1).Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0].ToLowerInvariant(), p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);
        return new SetCookie(nameValue[0], nameValue.Length > 1 ? nameValue[1] : "", attributes, header);
    }

    public static IReadOnlyList<SetCookie> In(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(Parse).ToList() : [];
}

/// <summary>
/// A cookie jar that sends cookies whatever the scheme, for tests that speak plain http to the portal while a trusted
/// proxy header says https (a CookieContainer would hold back Secure cookies on http).
/// </summary>
public sealed partial class ManualCookieJar
{
    private readonly Dictionary<string, string> cookies = new(StringComparer.Ordinal);

    public List<SetCookie> Received { get; } = [];

    public string? this[string name] => cookies.GetValueOrDefault(name);

    public IEnumerable<string> Names => cookies.Keys;

    public void Take(HttpResponseMessage response)
    {
        foreach (var cookie in SetCookie.In(response))
        {
            Received.Add(cookie);
            if (cookie.Deletes)
            {
                cookies.Remove(cookie.Name);
            }
            else
            {
                cookies[cookie.Name] = cookie.Value;
            }
        }
    }

    /// <summary>Sends <paramref name="request"/> with the jar's cookies and keeps what the answer sets.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        if (cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        }
        var response = await client.SendAsync(request);
        Take(response);
        return response;
    }

    /// <summary>The hidden antiforgery field of a page's form.</summary>
    public static string AntiforgeryTokenIn(string html) =>
        AntiforgeryField().Match(html) is { Success: true } field && ValueAttribute().Match(field.Value) is { Success: true } value
            ? System.Net.WebUtility.HtmlDecode(value.Groups["token"].Value)
            : throw new InvalidOperationException("The page has no antiforgery field.");

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*>")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("value=\"(?<token>[^\"]+)\"")]
    private static partial Regex ValueAttribute();
}
