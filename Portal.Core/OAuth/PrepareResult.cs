using Portal.Core.Accounts;
using Portal.Core.Platforms;

namespace Portal.Core.OAuth;

/// <summary>
/// Where to send the browser, or why the sign-in cannot start: OAuth 1 asks the server for a request token first, and a
/// verification is refused when its actor may not administer the portal (any more).
/// </summary>
public sealed record PrepareResult(AuthorizationStart? Start, SignInOutcome? Failure, Authorization.AccessRefusal? Refusal = null)
{
    public bool Succeeded => Start is not null;

    /// <summary>The integration's name when it exists, so a failed verification can say which one failed.</summary>
    public string? IntegrationName => Failure?.IntegrationName;

    /// <inheritdoc cref="SignInOutcome.PublicMessage"/>
    public string? PublicMessage => Failure?.PublicMessage ?? Refusal?.Message;

    /// <inheritdoc cref="SignInOutcome.AdministratorMessage"/>
    public string? AdministratorMessage => Failure?.AdministratorMessage ?? Refusal?.Message;
}
