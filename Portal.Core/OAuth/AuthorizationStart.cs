using Portal.Core.Accounts;
using Portal.Core.Platforms;

namespace Portal.Core.OAuth;

/// <summary>The browser is sent to <see cref="AuthorizeUrl"/> carrying a correlation cookie with <see cref="Correlation"/>.</summary>
/// <param name="PendingId">The stored pending authorization, which the callback consumes.</param>
public sealed record AuthorizationStart(string AuthorizeUrl, string Correlation, DateTimeOffset ExpiresAt, Guid PendingId);
