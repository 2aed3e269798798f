using Portal.Core.Audit;

namespace Portal.Features.Audit;

/// <summary>Links to the audit page that keep the filters the administrator chose and change one thing.</summary>
internal static class AuditLinks
{
    public const string Path = "/audit";
    public const string KindParameter = "kind";
    public const string IntegrationParameter = "integration";
    public const string PersonParameter = "person";
    public const string PageParameter = "page";

    /// <summary>The page for <paramref name="filter"/>; page 1 is left out so a filter's link is always the same.</summary>
    public static string For(AuditFilter filter, int page = 1)
    {
        var query = new List<string>();
        if (filter.Kind is { } kind)
        {
            query.Add($"{KindParameter}={kind}");
        }
        if (filter.IntegrationId is { } integration)
        {
            query.Add($"{IntegrationParameter}={integration}");
        }
        if (filter.PersonId is { } person)
        {
            query.Add($"{PersonParameter}={person}");
        }
        if (page > 1)
        {
            query.Add($"{PageParameter}={page}");
        }
        return query.Count == 0 ? Path : $"{Path}?{string.Join('&', query)}";
    }
}
