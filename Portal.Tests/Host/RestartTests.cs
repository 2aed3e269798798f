using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

public sealed class RestartTests : IDisposable
{
    private readonly string databasePath = TestPaths.NewDatabasePath();

    [Fact]
    public async Task A_restart_issues_a_new_setup_link_and_refuses_the_old_one()
    {
        string oldLink;
        await using (var first = new PortalHost(databasePath))
        {
            oldLink = first.SetupLink;
        }

        await using var second = new PortalHost(databasePath);
        var newLink = second.SetupLink;
        using var client = second.CreateHttpClient();
        var oldToken = new Uri(oldLink).Query;

        Assert.NotEqual(oldToken, new Uri(newLink).Query);
        var refused = await client.GetAsync(new Uri($"/setup{oldToken}", UriKind.Relative));
        Assert.Equal("/access?problem=setup-link-unknown", refused.Headers.Location!.OriginalString);
        var accepted = await client.GetAsync(new Uri(newLink));
        Assert.Equal("/integrations", accepted.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_secret_protected_before_a_restart_is_readable_after_it()
    {
        string protectedValue;
        await using (var first = new PortalHost(databasePath))
        {
            first.Start();
            protectedValue = first.Services.GetRequiredService<SecretProtector>().Protect(SecretPurpose.ClientSecret, "s3cret-value");
        }

        await using var second = new PortalHost(databasePath);
        second.Start();
        var protector = second.Services.GetRequiredService<SecretProtector>();

        Assert.Equal("s3cret-value", protector.TryUnprotect(SecretPurpose.ClientSecret, protectedValue));
        Assert.Null(protector.TryUnprotect(SecretPurpose.AccessToken, protectedValue));
    }

    [Fact]
    public async Task The_setup_cookie_survives_a_restart_while_setup_mode_lasts()
    {
        var cookies = new CookieContainer();
        await using (var first = new PortalHost(databasePath))
        {
            using var client = first.CreateHttpClient(cookies);
            await client.GetAsync(new Uri(first.SetupLink));
        }

        await using var second = new PortalHost(databasePath);
        using var again = second.CreateHttpClient(new CookieContainer());
        foreach (Cookie cookie in cookies.GetAllCookies())
        {
            again.DefaultRequestHeaders.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        }

        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync(new Uri("/integrations", UriKind.Relative))).StatusCode);
    }

    public void Dispose() => TestPaths.DeleteDatabase(databasePath);
}
