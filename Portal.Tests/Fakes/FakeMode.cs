namespace Portal.Tests.Fakes;

/// <summary>How <see cref="BitbucketFake"/> misbehaves. Can be changed while the fake runs.</summary>
public enum FakeMode
{
    /// <summary>Behaves like Bitbucket.</summary>
    Normal,

    /// <summary>Every request answers 404 (wrong host or context path).</summary>
    NotFound,

    /// <summary>Every request answers 200 with an HTML login form (proxy, single sign-on gateway, 2FA plugin).</summary>
    HtmlLoginPage,

    /// <summary>Every request answers 200 with an HTML page that is not a login page.</summary>
    HtmlOther,

    /// <summary>Every request answers 302 to <see cref="BitbucketFake.RedirectLocation"/> (default: the same URL over https).</summary>
    Redirect,

    /// <summary>Every request waits <see cref="BitbucketFake.SlowDelay"/> (cancelled when the client gives up), then answers normally.</summary>
    Slow,

    /// <summary>Every request answers 503.</summary>
    ServerError,

    /// <summary>application-properties answers 200 with broken JSON.</summary>
    GarbageJson,

    /// <summary>application-properties answers 200 with JSON of another application (displayName "Jira").</summary>
    NonBitbucketJson,

    /// <summary>
    /// The "U2F &amp; TOTP" two-factor plugin without its OAuth whitelist: REST requests made with a token (Bearer or
    /// OAuth 1) are redirected to the plugin's page; anonymous requests pass (see BitbucketFake.Provider.cs).
    /// </summary>
    TwoFactorPlugin,
}
