using System.Text;

namespace Portal.Core.Status;

/// <summary>What a status notice tells the other instances.</summary>
public enum StatusNoticeKind
{
    /// <summary>Probe results were stored; the ids are <see cref="ProbeResult.Id"/>s.</summary>
    Results,

    /// <summary>Sign-ins were recorded; the ids are integration ids.</summary>
    SignIns,

    /// <summary>An administrator changed the integrations; the receivers read them all, so the one id says nothing.</summary>
    Integrations,
}

/// <summary>
/// One PostgreSQL notification on <see cref="Channel"/> between portal instances: "origin|kind|id,id,…". It carries ids
/// only, the receivers read the rows; a long list is split over several notices, each below PostgreSQL's limit.
/// </summary>
/// <param name="Origin">The sending instance's <see cref="InstanceIdentity.Id"/>, so it can ignore its own notices.</param>
public sealed record StatusNotice(string Origin, StatusNoticeKind Kind, IReadOnlyList<string> Ids)
{
    /// <summary>The PostgreSQL channel every instance listens on.</summary>
    public const string Channel = "portal_status";

    /// <summary>PostgreSQL refuses payloads of 8000 bytes or more; this leaves room to spare.</summary>
    public const int MaxPayloadBytes = 7900;

    /// <summary>The payloads that carry <paramref name="ids"/>, each at most <see cref="MaxPayloadBytes"/> long.</summary>
    public static IEnumerable<string> Payloads(string origin, StatusNoticeKind kind, IEnumerable<string> ids)
    {
        var prefix = $"{origin}|{CodeOf(kind)}|";
        var payload = new StringBuilder(prefix);
        foreach (var id in ids)
        {
            if (payload.Length > prefix.Length && payload.Length + 1 + id.Length > MaxPayloadBytes)
            {
                yield return payload.ToString();
                payload.Clear().Append(prefix);
            }
            if (payload.Length > prefix.Length)
            {
                payload.Append(',');
            }
            payload.Append(id);
        }
        if (payload.Length > prefix.Length)
        {
            yield return payload.ToString();
        }
    }

    /// <summary>Reads a payload; <c>null</c> when it is not a status notice (say, from a newer portal version).</summary>
    public static StatusNotice? Parse(string payload)
    {
        var parts = payload.Split('|');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[2].Length == 0)
        {
            return null;
        }
        StatusNoticeKind? kind = parts[1] switch
        {
            "r" => StatusNoticeKind.Results,
            "s" => StatusNoticeKind.SignIns,
            "i" => StatusNoticeKind.Integrations,
            _ => null,
        };
        return kind is null ? null : new StatusNotice(parts[0], kind.Value, parts[2].Split(','));
    }

    private static char CodeOf(StatusNoticeKind kind) => kind switch
    {
        StatusNoticeKind.Results => 'r',
        StatusNoticeKind.SignIns => 's',
        _ => 'i',
    };
}
