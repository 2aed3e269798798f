using System.Net;
using Portal.Tests.Fakes;

namespace Portal.Tests.Host;

public class BitbucketFakeTests
{
    [Fact]
    public async Task Application_properties_look_like_Bitbucket_8_9_1()
    {
        await using var fake = await BitbucketFake.StartAsync();
        using var http = new HttpClient();

        var body = await http.GetStringAsync($"{fake.BaseUrl}/rest/api/1.0/application-properties");

        Assert.Equal("""{"version":"8.9.1","buildNumber":"8009001","buildDate":"1672975062662","displayName":"Bitbucket"}""", body);
        Assert.Equal(1, fake.ApplicationPropertiesRequests);
    }

    [Fact]
    public async Task Build_number_follows_the_version()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Version = "10.0.0" });
        using var http = new HttpClient();

        var body = await http.GetStringAsync($"{fake.BaseUrl}/rest/api/latest/application-properties");

        Assert.Contains("\"buildNumber\":\"10000000\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_outside_the_context_path_are_404()
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { ContextPath = "bitbucket/" });
        using var http = new HttpClient();

        using var outside = await http.GetAsync($"http://127.0.0.1:{fake.Port}/rest/api/1.0/application-properties");
        using var inside = await http.GetAsync($"{fake.BaseUrl}/rest/api/1.0/application-properties");

        Assert.Equal($"http://127.0.0.1:{fake.Port}/bitbucket", fake.BaseUrl);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        Assert.Equal(1, fake.ApplicationPropertiesRequests);
    }

    [Theory]
    [InlineData("7.19.0", HttpStatusCode.NotFound)]
    [InlineData("7.20.0", HttpStatusCode.Unauthorized)]
    [InlineData("8.9.1", HttpStatusCode.Unauthorized)]
    public async Task OAuth_2_client_endpoint_answers_401_from_7_20(string version, HttpStatusCode expected)
    {
        await using var fake = await BitbucketFake.StartAsync(new BitbucketFakeOptions { Version = version });
        using var http = new HttpClient();

        using var response = await http.GetAsync($"{fake.BaseUrl}/rest/oauth2/1.0/client");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Stopped_fake_refuses_connections_and_starts_again_on_the_same_port()
    {
        await using var fake = await BitbucketFake.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
        var port = fake.Port;
        await http.GetStringAsync($"{fake.BaseUrl}/status");

        await fake.StopAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync($"{fake.BaseUrl}/status"));
        await fake.StartAgainAsync();

        Assert.Equal(port, fake.Port);
        Assert.True(fake.IsRunning);
        Assert.Equal("""{"state":"RUNNING"}""", await http.GetStringAsync($"{fake.BaseUrl}/status"));
    }
}
