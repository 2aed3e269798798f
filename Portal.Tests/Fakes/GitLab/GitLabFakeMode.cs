namespace Portal.Tests.Fakes.GitLab;

/// <summary>How <see cref="GitLabFake"/> misbehaves. Can be changed while the fake runs; the sign-in page is exempt from none.</summary>
public enum GitLabFakeMode
{
    /// <summary>Behaves like GitLab (docs/gitlab-protocol.md).</summary>
    Normal,

    /// <summary>Every request answers 404, as a web server that is not GitLab (or a wrong relative URL root) does.</summary>
    NotFound,

    /// <summary>Every request answers 500 (GitLab's "We're sorry, something went wrong" page).</summary>
    ServerError,

    /// <summary>Every request answers 502 Bad Gateway, as GitLab's nginx does while Puma is (re)starting.</summary>
    BadGateway,

    /// <summary>Every request answers 429 "Retry later" with Retry-After, as GitLab's user and IP rate limits (Rack::Attack) do.</summary>
    RateLimited,

    /// <summary>Every request waits <see cref="GitLabFake.SlowDelay"/> (cancelled when the client gives up), then answers normally.</summary>
    Slow,

    /// <summary>Every request except the sign-in page answers 302 to <c>{base}/users/sign_in</c> (a proxy or SSO gateway that wants a session).</summary>
    SignInRedirect,

    /// <summary>Every request answers 200 with an HTML sign-in form (a single sign-on gateway in front of GitLab).</summary>
    SignInPage,

    /// <summary>Every request answers 200 with an HTML page that is not a sign-in page (a web site or proxy default page).</summary>
    HtmlPage,

    /// <summary>JSON endpoints answer 200 with broken JSON.</summary>
    GarbageJson,

    /// <summary>
    /// <c>/.well-known/</c> answers nginx's 404 page, the rest as GitLab: a proxy that lets only /oauth/, /api/ and the
    /// web pages through, or a GitLab-compatible server without OpenID Connect discovery.
    /// </summary>
    DiscoveryMissing,

    /// <summary>Every request answers 301 to the same URL over https (<see cref="GitLabFake.RedirectLocation"/> overrides).</summary>
    Redirect,
}
