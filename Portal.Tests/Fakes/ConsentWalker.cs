using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.WebUtilities;

namespace Portal.Tests.Fakes;

/// <summary>What the person on Bitbucket's consent page clicks.</summary>
public enum ConsentChoice
{
    Allow,
    Deny,
}

/// <summary>Bitbucket's consent page as a browser sees it: its address and the Allow and Deny forms.</summary>
public sealed record ConsentPage(Uri Url, string Html, ConsentForm Allow, ConsentForm Deny);

/// <summary>One form of the consent page: method, absolute action and the fields it submits.</summary>
public sealed record ConsentForm(HttpMethod Method, Uri Action, IReadOnlyList<KeyValuePair<string, string>> Fields);

/// <summary>
/// A browser without JavaScript at Bitbucket's authorize endpoint: when Bitbucket answers with its consent page, it
/// opens the page and submits Allow or Deny as Chromium would, with the consent page's address as <c>Referer</c>.
/// The client must not follow redirects; cookies are passed by hand (e.g. <see cref="BitbucketFake.SessionCookieFor"/>).
/// </summary>
public sealed class ConsentWalker(HttpClient http)
{
    /// <summary>
    /// GET <paramref name="authorizeUrl"/>; if that leads to the consent page, open it and choose. Returns Bitbucket's
    /// last answer: to the choice, or to the first request when there was no consent page (an <c>invalid_scope</c>
    /// redirect, an error page, another provider that approves at once).
    /// </summary>
    public async Task<HttpResponseMessage> AuthorizeAsync(Uri authorizeUrl, ConsentChoice choice = ConsentChoice.Allow, string? cookie = null)
    {
        var first = await GetAsync(authorizeUrl, cookie);
        if (!IsConsentRedirect(first))
        {
            return first;
        }
        var page = await OpenConsentPageAsync(first.Headers.Location!, cookie);
        return await ChooseAsync(page, choice, cookie);
    }

    /// <summary>Whether Bitbucket answered with a 303 to its consent page.</summary>
    public static bool IsConsentRedirect(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.SeeOther && response.Headers.Location is { IsAbsoluteUri: true } location
        && location.AbsolutePath.EndsWith(BitbucketFake.ConsentPagePath, StringComparison.Ordinal);

    /// <summary>GET the consent page and read its two forms; fails the test when it is not a consent page.</summary>
    public async Task<ConsentPage> OpenConsentPageAsync(Uri consentUrl, string? cookie = null)
    {
        using var response = await GetAsync(consentUrl, cookie);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"The consent page answered {(int)response.StatusCode}: {html}");
        var document = new HtmlParser().ParseDocument(html);
        ConsentForm Form(string buttonText)
        {
            var form = document.Forms.SingleOrDefault(f => f.QuerySelectorAll("button").Any(b => b.TextContent.Trim() == buttonText));
            Assert.True(form is not null, $"The consent page has no {buttonText} button: {html}");
            var fields = form.Elements.OfType<IHtmlInputElement>().Where(i => !string.IsNullOrEmpty(i.Name))
                .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value)).ToList();
            var method = string.Equals(form.Method, "post", StringComparison.OrdinalIgnoreCase) ? HttpMethod.Post : HttpMethod.Get;
            return new ConsentForm(method, new Uri(consentUrl, form.GetAttribute("action") ?? ""), fields);
        }
        return new ConsentPage(consentUrl, html, Form("Allow"), Form("Deny"));
    }

    /// <summary>Submits Allow or Deny; <paramref name="referer"/> replaces the consent page's address (null: the page's own; "": none).</summary>
    public async Task<HttpResponseMessage> ChooseAsync(ConsentPage page, ConsentChoice choice, string? cookie = null, string? referer = null)
    {
        var form = choice == ConsentChoice.Allow ? page.Allow : page.Deny;
        using var request = form.Method == HttpMethod.Get
            ? new HttpRequestMessage(HttpMethod.Get, QueryHelpers.AddQueryString(form.Action.GetLeftPart(UriPartial.Path), form.Fields!))
            : new HttpRequestMessage(HttpMethod.Post, form.Action) { Content = new FormUrlEncodedContent(form.Fields) };
        // A browser sends the page's full address as Referer to its own origin (strict-origin-when-cross-origin).
        if (referer is not "")
        {
            request.Headers.TryAddWithoutValidation("Referer", referer ?? page.Url.ToString());
        }
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        return await http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> GetAsync(Uri url, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        return await http.SendAsync(request);
    }
}
