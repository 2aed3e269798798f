namespace Portal.Core.Platforms;

/// <summary>What <see cref="IPlatform.CheckOAuth2ProviderAsync"/> found out about the server's OAuth 2 provider.</summary>
public enum OAuth2ProviderFinding
{
    /// <summary>The provider's metadata names this base URL as the server's own.</summary>
    Ready,

    /// <summary>No metadata document, but another anonymous answer shows the provider is installed; the base URL setting could not be compared.</summary>
    InstalledWithoutMetadata,

    /// <summary>The metadata names this base URL, but it is plain http, which the provider refuses unless told otherwise.</summary>
    PlainHttp,

    /// <summary>The metadata names another base URL (scheme, host, port or path): the server's own base URL setting differs.</summary>
    BaseUrlMismatch,

    /// <summary>The provider is missing or disabled.</summary>
    Missing,

    /// <summary>A 401 or 403, a redirect, an HTML page or foreign JSON: a proxy, single sign-on gateway or plugin answers in the server's place.</summary>
    Blocked,

    /// <summary>HTTP 5xx.</summary>
    ServerError,

    /// <summary>The request failed: network, timeout or TLS.</summary>
    Unreachable,
}

/// <summary>The result of checking a server's OAuth 2 provider for one base URL.</summary>
/// <param name="Finding">What was found.</param>
/// <param name="Message">A full sentence for the administrator: what was found, or the cause and the fix.</param>
/// <param name="Hint">An optional further suggestion.</param>
/// <param name="BaseUrlSetting">The server's own base URL setting as its metadata's <c>issuer</c> names it; <c>null</c> without metadata.</param>
public sealed record OAuth2ProviderCheck(OAuth2ProviderFinding Finding, string Message, string? Hint, string? BaseUrlSetting)
{
    /// <summary>Whether sign-in through OAuth 2 can work as far as this check can tell.</summary>
    public bool Usable => Finding is OAuth2ProviderFinding.Ready or OAuth2ProviderFinding.InstalledWithoutMetadata;

    /// <summary>Whether the finding deserves a warning rather than a failure: it works only if the server was told to accept plain http.</summary>
    public bool IsWarning => Finding == OAuth2ProviderFinding.PlainHttp;
}
