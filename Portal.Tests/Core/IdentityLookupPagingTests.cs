using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Tests.Core.OAuth1;

namespace Portal.Tests.Core;

/// <summary>User searches that leave out what Bitbucket itself sends, as a server or proxy that retypes JSON may.</summary>
public sealed class IdentityLookupPagingTests
{
    private const string BaseUrl = "https://bitbucket.example.com";

    private static async Task<Portal.Core.Platforms.IdentityLookup> IdentifyAsync(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        var client = new BitbucketIdentityClient(new HttpClient(new StubHttpHandler(answer)), Options.Create(new BitbucketClientOptions()));
        return await client.IdentifyAsync(BaseUrl, _ => Task.CompletedTask, CancellationToken.None);
    }

    private static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Properties()
    {
        var response = Json("""{"version":"8.9.1","displayName":"Bitbucket"}""");
        response.Headers.Add("X-AUSERNAME", "ada");
        response.Headers.Add("X-AUSERID", "7");
        return response;
    }

    [Fact]
    public async Task A_page_without_isLastPage_goes_on_while_nextPageStart_moves_forward_and_numbers_may_be_strings()
    {
        var lookup = await IdentifyAsync(request => request.RequestUri!.AbsolutePath.EndsWith("application-properties", StringComparison.Ordinal)
            ? Properties()
            : request.RequestUri.Query.Contains("start=0", StringComparison.Ordinal)
                ? Json("""{"values":[{"id":"3","name":"adam","slug":"adam"}],"nextPageStart":"1"}""")
                : Json("""{"values":[{"id":7,"name":"ada","slug":"ada","displayName":"Ada Lovelace"}],"isLastPage":true}"""));

        Assert.True(lookup.Succeeded, lookup.Failure);
        Assert.Equal(7, lookup.User!.Id);
        Assert.Equal("Ada Lovelace", lookup.User.DisplayName);
    }

    [Fact]
    public async Task A_search_slower_than_its_overall_deadline_stops_there_and_says_how_far_it_got()
    {
        var pageDelay = TimeSpan.FromMilliseconds(300);
        var stub = new StubHttpHandler(request => request.RequestUri!.AbsolutePath.EndsWith("application-properties", StringComparison.Ordinal)
            ? Properties()
            : Json($$"""{"values":[{"id":3,"name":"adam","slug":"adam"}],"isLastPage":false,"nextPageStart":{{int.Parse(request.RequestUri.Query.Split("start=")[1].Split('&')[0], System.Globalization.CultureInfo.InvariantCulture) + 1}}}"""));
        var client = new BitbucketIdentityClient(new HttpClient(new SlowSearch(pageDelay) { InnerHandler = stub }),
            Options.Create(new BitbucketClientOptions { UserSearchMaxPages = 1000, UserSearchTimeout = TimeSpan.FromSeconds(1) }));

        var lookup = await client.IdentifyAsync(BaseUrl, _ => Task.CompletedTask, CancellationToken.None);

        Assert.False(lookup.Succeeded);
        Assert.Contains("Bitbucket's user search for \"ada\" took longer than Bitbucket:UserSearchTimeout (1 second) to find who signed in", lookup.Failure, StringComparison.Ordinal);
        Assert.Contains("raise Bitbucket:UserSearchTimeout in appsettings.json", lookup.Failure, StringComparison.Ordinal);
        var searches = stub.Requests.Count(r => r.Url.AbsolutePath.EndsWith("/users", StringComparison.Ordinal));
        Assert.InRange(searches, 0, 4); // 1 s at 300 ms a page, not the 1000 pages the limit allows
        // One user a page; a page whose answer arrived just as the deadline passed is asked for but not read.
        var read = System.Text.RegularExpressions.Regex.Match(lookup.Failure!, @"the portal had read (\d+) users? on (\d+) pages? by then");
        Assert.True(read.Success, lookup.Failure);
        Assert.Equal(read.Groups[1].Value, read.Groups[2].Value);
        Assert.InRange(int.Parse(read.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), Math.Max(0, searches - 1), searches);
    }

    [Theory]
    [InlineData(429, true, "Bitbucket is limiting the requests from the portal's address (HTTP 429, retry after 30 seconds) to the user search for \"ada\"")]
    [InlineData(503, true, "Bitbucket answered HTTP 503 to the user search for \"ada\": Bitbucket or its proxy has a problem")]
    [InlineData(403, false, "Something answered HTTP 403 to the user search for \"ada\", with the access token Bitbucket had just issued")]
    [InlineData(400, false, "Bitbucket answered HTTP 400 to the user search for \"ada\". Check that the base URL points at Bitbucket itself")]
    public async Task An_error_status_from_the_user_search_names_its_own_cause_and_whether_trying_again_helps(int status, bool serverTrouble, string expected)
    {
        var lookup = await IdentifyAsync(request =>
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("application-properties", StringComparison.Ordinal))
            {
                return Properties();
            }
            var refused = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            refused.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
            return refused;
        });

        Assert.False(lookup.Succeeded);
        Assert.StartsWith(expected, lookup.Failure, StringComparison.Ordinal);
        Assert.DoesNotContain("Repositories: Read", lookup.Failure, StringComparison.Ordinal);
        Assert.Equal(serverTrouble, lookup.ServerTrouble);
        Assert.False(lookup.Unreachable);
    }

    [Fact]
    public async Task An_answer_that_cannot_be_decompressed_names_the_proxy_instead_of_failing_the_sign_in()
    {
        var client = new BitbucketIdentityClient(new HttpClient(new BrokenCompression()), Options.Create(new BitbucketClientOptions()));

        var lookup = await client.IdentifyAsync(BaseUrl, _ => Task.CompletedTask, CancellationToken.None);

        Assert.False(lookup.Succeeded);
        Assert.Contains("could not be decompressed", lookup.Failure, StringComparison.Ordinal);
    }

    private sealed class BrokenCompression : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidDataException("The archive entry was compressed using an unsupported compression method.");
    }

    [Fact]
    public void The_registered_client_sets_no_limit_per_call_so_only_the_search_s_overall_deadline_bounds_a_slow_page()
    {
        // A limit per call (it was 15 s) would stop a directory whose every page is slow, whatever
        // Bitbucket:UserSearchTimeout says; the first call has its own limit (WhoAmITimeout) in the client.
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddBitbucketServerPlatform();
        using var provider = services.BuildServiceProvider();

        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(BitbucketIdentityClient));

        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout);
    }

    private sealed class SlowSearch(TimeSpan delay) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/users", StringComparison.Ordinal))
            {
                await Task.Delay(delay, cancellationToken);
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }

    [Theory]
    [InlineData("avatars/ada.png", "https://bitbucket.example.com/bitbucket/avatars/ada.png")]
    [InlineData("/bitbucket/users/ada/avatar.png", "https://bitbucket.example.com/bitbucket/users/ada/avatar.png")]
    [InlineData("https://secure.gravatar.com/avatar/1", "https://secure.gravatar.com/avatar/1")]
    public void Relative_avatar_urls_are_resolved_against_the_base_url(string avatarUrl, string expected) =>
        Assert.Equal(expected, BitbucketIdentityClient.AbsoluteAvatarUrl("https://bitbucket.example.com/bitbucket", avatarUrl));
}
