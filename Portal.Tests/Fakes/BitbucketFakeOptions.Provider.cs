namespace Portal.Tests.Fakes;

public sealed partial class BitbucketFakeOptions
{
    /// <summary>
    /// Bitbucket's own base URL setting (Administration → Server settings → Base URL), given the address the fake is
    /// reached at; <c>null</c>: that address. The OAuth 2 metadata and the https rule go by it, so a test can configure
    /// a setting that differs from where the portal reaches the fake (other host or port, no context path, http).
    /// </summary>
    public Func<string, string>? BaseUrlSetting { get; set; }

    /// <summary>
    /// <c>atlassian.oauth2.provider.skip.base.url.https.requirement=true</c>: the OAuth 2 provider also works over http.
    /// Off by default, as in Bitbucket: an http base URL setting or an insecure request gets "no https" (HTTP 400).
    /// </summary>
    public bool SkipHttpsRequirement { get; set; }

    /// <summary>What answers at the OAuth 2 metadata path.</summary>
    public ProviderMetadataMode ProviderMetadata { get; set; }
}

/// <summary>What the fake answers at <c>/rest/oauth2/latest/.well-known/oauth-authorization-server</c>.</summary>
public enum ProviderMetadataMode
{
    /// <summary>The RFC 8414 document, built from <see cref="BitbucketFake.BaseUrlSetting"/> (404 while the OAuth 2 provider is not installed).</summary>
    Served,

    /// <summary>404, as from a Bitbucket that does not publish the document (older versions); <c>/rest/oauth2/1.0/client</c> still answers.</summary>
    Absent,

    /// <summary>403 from a proxy or plugin in front of Bitbucket.</summary>
    Forbidden,

    /// <summary>302 to a single sign-on login page.</summary>
    Redirect,

    /// <summary>200 with an HTML page instead of JSON.</summary>
    HtmlPage,
}
