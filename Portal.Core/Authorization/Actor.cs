namespace Portal.Core.Authorization;

/// <summary>
/// Who asks for an action: the server-side session the browser's cookie names, or nobody. Whether that session may act
/// is read from the database when the action runs, never taken from the page that offered it.
/// </summary>
public sealed record Actor(Guid? SessionId)
{
    public static Actor Anonymous { get; } = new((Guid?)null);

    /// <summary>
    /// The client's address as the portal sees it behind its trusted proxies, taken where the request or the page's
    /// circuit started; the audit log records it. Never used to decide anything.
    /// </summary>
    public string? ClientAddress { get; init; }
}
