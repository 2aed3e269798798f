using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Portal.Tests.Fakes;

namespace Portal.Tests.Host;

/// <summary>
/// The Bitbucket fake's user directory behaves as shared/docs/bitbucket-protocol.md §2 and §8 say: a paged substring
/// search whose order is not by name, and authenticated answers that carry <c>X-AUSERID</c> and a Java-encoded
/// <c>X-AUSERNAME</c>.
/// </summary>
public sealed class BitbucketFakeUsersTests : IAsyncLifetime
{
    private readonly HttpClient http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
    private BitbucketFake fake = null!;

    public async Task InitializeAsync()
    {
        fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "/bitbucket" });
        fake.AddUser(BitbucketFakeUser.Ada);
        fake.AddUser(BitbucketFakeUser.Grace);
        foreach (var user in FakeDirectory.UsersMatching("al", 60))
        {
            fake.AddUser(user);
        }
        fake.AddUser(FakeDirectory.Al);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await fake.DisposeAsync();
    }

    [Fact]
    public async Task The_search_matches_name_display_name_and_e_mail_in_pages_of_25_by_default_ordered_by_display_name()
    {
        var token = fake.IssueAccessTokenFor(BitbucketFakeUser.Grace);

        var pages = new List<JsonElement>();
        int? start = 0;
        while (start is { } next)
        {
            var page = await GetJsonAsync($"/rest/api/1.0/users?filter=al&start={next}", token);
            pages.Add(page);
            start = page.GetProperty("isLastPage").GetBoolean() ? null : page.GetProperty("nextPageStart").GetInt32();
        }

        Assert.Equal([(0, 25, 25, false), (25, 25, 25, false), (50, 25, 11, true)], pages.Select(p => (
            p.GetProperty("start").GetInt32(), p.GetProperty("limit").GetInt32(), p.GetProperty("size").GetInt32(), p.GetProperty("isLastPage").GetBoolean())));
        Assert.False(pages[^1].TryGetProperty("nextPageStart", out _));
        var names = pages.SelectMany(p => p.GetProperty("values").EnumerateArray()).Select(u => u.GetProperty("name").GetString()!).ToList();
        // 20 match by name, 20 by display name, 20 by e-mail, and "al" itself; Ada ("Lovelace") and Grace do not match.
        Assert.Equal(61, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.DoesNotContain("ada", names);
        Assert.Equal("al", names[^1]);
        Assert.NotEqual(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public async Task A_limit_is_honoured_up_to_the_server_s_largest_page()
    {
        var token = fake.IssueAccessTokenFor(BitbucketFakeUser.Grace);

        var ten = await GetJsonAsync("/rest/api/1.0/users?filter=al&start=55&limit=10", token);
        fake.UserSearchMaxLimit = 20;
        var capped = await GetJsonAsync("/rest/api/1.0/users?filter=al&limit=100", token);

        Assert.Equal((55, 10, 6, true), (ten.GetProperty("start").GetInt32(), ten.GetProperty("limit").GetInt32(),
            ten.GetProperty("size").GetInt32(), ten.GetProperty("isLastPage").GetBoolean()));
        Assert.Equal((20, 20, 20), (capped.GetProperty("limit").GetInt32(), capped.GetProperty("size").GetInt32(), capped.GetProperty("nextPageStart").GetInt32()));
        Assert.Equal([(0, 20)], fake.UserSearches.Skip(1).Select(s => (s.Start, s.Limit)));
    }

    [Theory]
    [InlineData("ada lovelace", "ada+lovelace")]
    [InlineData("ada+dev", "ada%2Bdev")]
    [InlineData("ada@example.com", "ada%40example.com")]
    [InlineData("jürgen.o'neil", "j%C3%BCrgen.o%27neil")]
    [InlineData("a-b_c*d.e", "a-b_c*d.e")]
    public async Task Authenticated_answers_carry_the_id_and_the_name_encoded_like_Java_s_URLEncoder(string name, string header)
    {
        var user = new BitbucketFakeUser(500, name, "slug-500", "Someone");

        using var response = await GetAsync("/rest/api/1.0/application-properties", fake.IssueAccessTokenFor(user));

        Assert.Equal(header, Assert.Single(response.Headers.GetValues("X-AUSERNAME")));
        Assert.Equal("500", Assert.Single(response.Headers.GetValues("X-AUSERID")));
    }

    [Fact]
    public async Task A_server_without_X_AUSERID_sends_the_name_alone()
    {
        fake.SendsUserIdHeader = false;

        using var response = await GetAsync("/rest/api/1.0/application-properties", fake.IssueAccessTokenFor(BitbucketFakeUser.Ada));

        Assert.Equal("ada", Assert.Single(response.Headers.GetValues("X-AUSERNAME")));
        Assert.False(response.Headers.Contains("X-AUSERID"));
    }

    [Fact]
    public async Task A_user_hidden_from_the_search_still_authenticates_but_is_not_listed()
    {
        fake.HideFromUserSearch(FakeDirectory.Al.Id);
        var token = fake.IssueAccessTokenFor(FakeDirectory.Al);

        using var properties = await GetAsync("/rest/api/1.0/application-properties", token);
        var search = await GetJsonAsync("/rest/api/1.0/users?filter=al&limit=1000", token);

        Assert.Equal(FakeDirectory.Al.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(properties.Headers.GetValues("X-AUSERID")));
        Assert.Equal(60, search.GetProperty("size").GetInt32());
        Assert.DoesNotContain(search.GetProperty("values").EnumerateArray(), u => u.GetProperty("id").GetInt64() == FakeDirectory.Al.Id);
        Assert.Equal(FakeDirectory.Al.Id, fake.UserSearches[^1].AuthenticatedUserId);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, fake.BaseUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private async Task<JsonElement> GetJsonAsync(string path, string bearer)
    {
        using var response = await GetAsync(path, bearer);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
