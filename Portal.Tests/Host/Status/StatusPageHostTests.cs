using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host.Status;

public sealed class StatusPageHostTests : IAsyncLifetime
{
    private readonly PortalHost host = new(settings: new Dictionary<string, string?> { ["Status:Enabled"] = "false" });

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Anonymous_visitors_of_their_account_page_are_sent_to_sign_in_and_back()
    {
        using var client = host.CreateHttpClient();

        var response = await client.GetAsync(new Uri("/account", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin?returnUrl=%2Faccount", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_the_access_explanation()
    {
        using var client = host.CreateHttpClient();

        var response = await client.GetAsync(new Uri("/status", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith($"{host.BaseUrl}/access?returnUrl=%2Fstatus", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.DoesNotContain("Integration status", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Administrators_get_the_status_page()
    {
        using var client = await host.CreateSetupAdminClientAsync();

        var page = await client.GetStringAsync(new Uri("/status", UriKind.Relative));

        Assert.Contains("Integration status", page, StringComparison.Ordinal);
        Assert.Contains("No integrations yet", page, StringComparison.Ordinal);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}
