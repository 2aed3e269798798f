using System.Net;
using Portal.Core.Integrations;
using Portal.Core.Security;

namespace Portal.Tests.Core;

/// <summary>Link-local addresses (cloud metadata services) in every spelling are refused; their neighbours are not.</summary>
public sealed class LinkLocalAddressesTests
{
    [Theory]
    [InlineData("169.254.0.0")]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.255.255")]
    [InlineData("fe80::1")]
    [InlineData("fe80::a9fe:a9fe%2")]
    [InlineData("febf:ffff::1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::169.254.169.254")]
    [InlineData("64:ff9b::169.254.169.254")]
    public void Link_local_addresses_are_recognised(string address) =>
        Assert.True(LinkLocalAddresses.IsLinkLocal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("169.253.255.255")]
    [InlineData("169.255.0.0")]
    [InlineData("10.0.0.5")]
    [InlineData("127.0.0.1")]
    [InlineData("192.168.1.10")]
    [InlineData("0.0.0.0")]
    [InlineData("fec0::1")]
    [InlineData("fe7f::1")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("::ffff:10.0.0.5")]
    [InlineData("2001:db8::a9fe:a9fe")]
    public void Other_addresses_are_not_link_local(string address) =>
        Assert.False(LinkLocalAddresses.IsLinkLocal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://169.254.169.254", "169.254.169.254")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254")]
    [InlineData("https://169.254.1.2:7990/bitbucket", "169.254.1.2")]
    [InlineData("http://[fe80::1]:7990", "fe80::1")]
    [InlineData("http://[FE80::A9FE:A9FE]", "fe80::a9fe:a9fe")]
    [InlineData("http://[::ffff:169.254.169.254]", "169.254.169.254")]
    [InlineData("http://[::ffff:a9fe:a9fe]", "169.254.169.254")]
    [InlineData("http://2852039166/", "169.254.169.254")]
    [InlineData("http://0xA9FEA9FE/", "169.254.169.254")]
    [InlineData("http://0251.0376.0251.0376/", "169.254.169.254")]
    [InlineData("http://169.254.43518/", "169.254.169.254")]
    public void The_normaliser_refuses_a_literal_link_local_host_and_says_why(string input, string address)
    {
        var result = BaseUrlNormalizer.Normalize(input);

        Assert.False(result.IsValid);
        Assert.Contains("link-local address (169.254.0.0/16, fe80::/10)", result.Error, StringComparison.Ordinal);
        Assert.Contains("instance metadata", result.Error, StringComparison.Ordinal);
        Assert.Contains("enter the address the server is served at", result.Error, StringComparison.Ordinal);
        Assert.Contains(address, result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("fd00:ec2::254")]
    [InlineData("FD00:0EC2:0000:0000:0000:0000:0000:0254")]
    [InlineData("fd00:ec2::254%3")]
    public void Amazons_ipv6_metadata_address_is_refused_though_it_is_not_link_local(string address)
    {
        Assert.False(LinkLocalAddresses.IsLinkLocal(IPAddress.Parse(address)));
        Assert.True(LinkLocalAddresses.IsRefused(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("fd00::1")]
    [InlineData("fd00:ec2::253")]
    [InlineData("fd12:3456:789a::10")]
    [InlineData("10.0.0.5")]
    public void Other_unique_local_and_private_addresses_are_not_refused(string address) =>
        Assert.False(LinkLocalAddresses.IsRefused(IPAddress.Parse(address)));

    [Fact]
    public void The_normaliser_refuses_amazons_ipv6_metadata_address_and_names_it()
    {
        var result = BaseUrlNormalizer.Normalize("http://[fd00:ec2::254]/latest/meta-data/");

        Assert.False(result.IsValid);
        Assert.StartsWith("fd00:ec2::254 is Amazon EC2's IPv6 instance metadata address, where cloud platforms serve instance metadata and credentials", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://169.255.169.254")]
    [InlineData("http://[fec0::1]")]
    [InlineData("http://[fd00:ec2::253]")]
    [InlineData("http://169-254-169-254.example.com")]
    public void Neighbouring_addresses_and_names_pass_the_normaliser(string input) =>
        Assert.True(BaseUrlNormalizer.Normalize(input).IsValid);
}
