using System.Net;
using System.Text;
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

    [Theory]
    [InlineData("avatars/ada.png", "https://bitbucket.example.com/bitbucket/avatars/ada.png")]
    [InlineData("/bitbucket/users/ada/avatar.png", "https://bitbucket.example.com/bitbucket/users/ada/avatar.png")]
    [InlineData("https://secure.gravatar.com/avatar/1", "https://secure.gravatar.com/avatar/1")]
    public void Relative_avatar_urls_are_resolved_against_the_base_url(string avatarUrl, string expected) =>
        Assert.Equal(expected, BitbucketIdentityClient.AbsoluteAvatarUrl("https://bitbucket.example.com/bitbucket", avatarUrl));
}
