namespace Portal.Core.Platforms;

/// <summary>Which OAuth version a server version calls for, and what to tell the administrator about it.</summary>
/// <param name="OAuthVersion">The OAuth version to set the integration up with.</param>
/// <param name="IsWarning">Whether <paramref name="Message"/> should be shown as a warning rather than a confirmation.</param>
/// <param name="Message">A full sentence for the administrator.</param>
public sealed record OAuthCompatibility(OAuthVersion OAuthVersion, bool IsWarning, string Message);
