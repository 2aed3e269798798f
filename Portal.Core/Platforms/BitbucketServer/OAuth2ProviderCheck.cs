namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>What <see cref="BitbucketVersionProbe.CheckOAuth2ProviderAsync"/> found out about Bitbucket's OAuth 2 provider.</summary>
public enum OAuth2ProviderFinding
{
    /// <summary>The provider's metadata names this base URL (https) as Bitbucket's own.</summary>
    Ready,

    /// <summary>No metadata document (404, older Bitbucket), but <c>/rest/oauth2/1.0/client</c> answered 401: installed; the base URL setting could not be compared.</summary>
    InstalledWithoutMetadata,

    /// <summary>The metadata names this base URL, but it is plain http: Bitbucket refuses OAuth 2 unless told to skip its https rule.</summary>
    PlainHttp,

    /// <summary>The metadata names another base URL (scheme, host, port or context path): Bitbucket's base URL setting differs.</summary>
    BaseUrlMismatch,

    /// <summary>404 for the metadata and for <c>/rest/oauth2/1.0/client</c>: the provider is missing or disabled.</summary>
    Missing,

    /// <summary>A 401 or 403, a redirect, an HTML page or foreign JSON: a proxy, single sign-on gateway or plugin answers in Bitbucket's place.</summary>
    Blocked,

    /// <summary>HTTP 5xx.</summary>
    ServerError,

    /// <summary>The request failed: network, timeout or TLS.</summary>
    Unreachable,
}

/// <summary>The result of checking Bitbucket's OAuth 2 provider for one base URL.</summary>
/// <param name="Finding">What was found.</param>
/// <param name="Message">A full sentence for the administrator: what was found, or the cause and the fix.</param>
/// <param name="Hint">An optional further suggestion.</param>
/// <param name="BaseUrlSetting">Bitbucket's own base URL setting as its metadata's <c>issuer</c> names it; <c>null</c> without metadata.</param>
public sealed record OAuth2ProviderCheck(OAuth2ProviderFinding Finding, string Message, string? Hint, string? BaseUrlSetting)
{
    /// <summary>Whether sign-in through OAuth 2 can work as far as this check can tell.</summary>
    public bool Usable => Finding is OAuth2ProviderFinding.Ready or OAuth2ProviderFinding.InstalledWithoutMetadata;

    /// <summary>Whether the finding deserves a warning rather than a failure: it works only if Bitbucket was told to skip its https rule.</summary>
    public bool IsWarning => Finding == OAuth2ProviderFinding.PlainHttp;
}
