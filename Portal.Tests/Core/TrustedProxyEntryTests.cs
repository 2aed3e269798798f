using System.Net;
using Portal.Core.Configuration;

namespace Portal.Tests.Core;

public sealed class TrustedProxyEntryTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1/32")]
    [InlineData(" 10.1.2.3 ", "10.1.2.3/32")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("192.168.4.0/22", "192.168.4.0/22")]
    [InlineData("::1", "::1/128")]
    [InlineData("fd00::/8", "fd00::/8")]
    [InlineData("2001:db8:1::/48", "2001:db8:1::/48")]
    [InlineData("::ffff:10.0.0.7", "10.0.0.7/32")]
    public void Addresses_and_networks_are_accepted(string entry, string expected)
    {
        Assert.True(TrustedProxyEntry.TryParse(entry, out var network, out var problem), problem);
        Assert.Equal(IPNetwork.Parse(expected), network);
    }

    [Fact]
    public void A_single_address_trusts_that_address_only()
    {
        Assert.True(TrustedProxyEntry.TryParse("10.0.0.5", out var network, out _));

        Assert.True(network.Contains(IPAddress.Parse("10.0.0.5")));
        Assert.False(network.Contains(IPAddress.Parse("10.0.0.6")));
    }

    [Theory]
    [InlineData("proxy.example.com", "is not an IP address or CIDR network")]
    [InlineData("10.0.0.300", "is not an IP address or CIDR network")]
    [InlineData("10.1", "is not an IP address or CIDR network")]
    [InlineData("fe80::1%eth0", "is not an IP address or CIDR network")]
    [InlineData("10.0.0.0/33", "no valid prefix length")]
    [InlineData("10.0.0.0/", "no valid prefix length")]
    [InlineData("10.0.0.0/-8", "no valid prefix length")]
    [InlineData("fd00::/129", "no valid prefix length")]
    [InlineData("0.0.0.0/0", "would trust every address")]
    [InlineData("::/0", "would trust every address")]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    public void Wrong_entries_are_refused_with_the_reason(string entry, string reason)
    {
        Assert.False(TrustedProxyEntry.TryParse(entry, out _, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_written_with_a_host_address_names_the_network_meant()
    {
        Assert.False(TrustedProxyEntry.TryParse("10.1.2.3/8", out _, out var problem));

        Assert.Contains("write 10.0.0.0/8", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_names_the_key_and_position_of_each_wrong_entry()
    {
        var options = new PortalOptions { PublicUrl = "https://portal.example.com", TrustedProxies = ["10.0.0.1", "nginx", "10.0.0.0/8"] };

        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        var result = Assert.Single(results);
        Assert.StartsWith("Portal:TrustedProxies:1 'nginx' is not an IP address", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal([IPNetwork.Parse("10.0.0.1/32"), IPNetwork.Parse("10.0.0.0/8")], options.TrustedProxyNetworks);
    }

    [Theory]
    [InlineData("https://portal.example.com", true)]
    [InlineData("HTTPS://portal.example.com/", true)]
    [InlineData("http://localhost:5080", false)]
    public void Https_mode_follows_the_public_url(string publicUrl, bool usesHttps) =>
        Assert.Equal(usesHttps, new PortalOptions { PublicUrl = publicUrl }.UsesHttps);
}
