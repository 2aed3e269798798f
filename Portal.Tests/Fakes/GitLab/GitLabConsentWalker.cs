using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Portal.Tests.Fakes.GitLab;

/// <summary>What the person on GitLab's consent page clicks.</summary>
public enum GitLabConsentChoice
{
    Authorize,
    Deny,
}

/// <summary>GitLab's consent page as a browser sees it: its address and the Authorize and Deny forms.</summary>
public sealed record GitLabConsentPage(Uri Url, string Html, ConsentForm Authorize, ConsentForm Deny);

/// <summary>
/// A browser without JavaScript at GitLab's <c>/oauth/authorize</c>: GitLab answers with its consent page (200) unless
/// the application is trusted; the walker submits Authorize or Deny as Chromium would. The client must not follow
/// redirects; the GitLab session cookie is passed by hand (<see cref="GitLabFake.SessionCookieFor"/>).
/// </summary>
public sealed class GitLabConsentWalker(HttpClient http)
{
    /// <summary>GET <paramref name="authorizeUrl"/>; on the consent page, choose. Returns GitLab's last answer (a redirect to the client, an error page, the sign-in redirect).</summary>
    public async Task<HttpResponseMessage> AuthorizeAsync(Uri authorizeUrl, GitLabConsentChoice choice = GitLabConsentChoice.Authorize, string? cookie = null)
    {
        var first = await SendAsync(new HttpRequestMessage(HttpMethod.Get, authorizeUrl), cookie);
        if (first.StatusCode != HttpStatusCode.OK)
        {
            return first;
        }
        var html = await first.Content.ReadAsStringAsync();
        if (!html.Contains("doorkeeper-authorize", StringComparison.Ordinal))
        {
            return first;
        }
        first.Dispose();
        var page = ReadConsentPage(authorizeUrl, html);
        return await ChooseAsync(page, choice, cookie);
    }

    /// <summary>Reads the two forms of a consent page; fails the test when one is missing.</summary>
    public static GitLabConsentPage ReadConsentPage(Uri url, string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        ConsentForm Form(string buttonText)
        {
            var form = document.Forms.SingleOrDefault(f => f.QuerySelectorAll("button").Any(b => b.TextContent.Trim() == buttonText));
            Assert.True(form is not null, $"The consent page has no {buttonText} button: {html}");
            var fields = form.Elements.OfType<IHtmlInputElement>().Where(i => !string.IsNullOrEmpty(i.Name))
                .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value)).ToList();
            return new ConsentForm(HttpMethod.Post, new Uri(url, form.GetAttribute("action") ?? ""), fields);
        }
        return new GitLabConsentPage(url, html, Form("Authorize"), Form("Deny"));
    }

    /// <summary>Posts the Authorize or Deny form.</summary>
    public Task<HttpResponseMessage> ChooseAsync(GitLabConsentPage page, GitLabConsentChoice choice, string? cookie = null)
    {
        var form = choice == GitLabConsentChoice.Authorize ? page.Authorize : page.Deny;
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, form.Action) { Content = new FormUrlEncodedContent(form.Fields) }, cookie);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string? cookie)
    {
        using (request)
        {
            if (cookie is not null)
            {
                request.Headers.Add("Cookie", cookie);
            }
            return await http.SendAsync(request);
        }
    }
}
