using System.Net;
using Portal.Web;

namespace Portal.Tests.Web;

public sealed class RateLimitClientKeyTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::1", "::/64")]
    public void Clients_are_counted_by_address_and_IPv6_clients_by_their_64_network(string address, string key) =>
        Assert.Equal(key, RateLimits.ClientKey(IPAddress.Parse(address)));

    [Fact]
    public void Another_IPv6_network_is_another_client() =>
        Assert.NotEqual(RateLimits.ClientKey(IPAddress.Parse("2001:db8:1:2::1")), RateLimits.ClientKey(IPAddress.Parse("2001:db8:1:3::1")));
}
