namespace Portal.Components.Layout;

/// <summary>The navigation entries; only built pages are listed.</summary>
internal static class NavigationEntries
{
    public sealed record Entry(string Title, string Href);

    public static IReadOnlyList<Entry> ForAdministrators { get; } = [new("Integrations", "/integrations"), new("Status", "/status"), new("People", "/people"), new("Audit log", "/audit")];
}
