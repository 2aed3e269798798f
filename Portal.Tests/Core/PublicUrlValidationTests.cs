using System.ComponentModel.DataAnnotations;
using Portal.Core.Configuration;

namespace Portal.Tests.Core;

/// <summary>Portal:PublicUrl values the portal cannot build Callback URLs or redirects from are refused at start.</summary>
public sealed class PublicUrlValidationTests
{
    private static List<string> Problems(string publicUrl)
    {
        var options = new PortalOptions { PublicUrl = publicUrl };
        return options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage!).ToList();
    }

    [Theory]
    [InlineData("https://pörtal.example.com", "https://xn--prtal-jua.example.com.")]
    [InlineData("http://bücher.example:8080/", "http://xn--bcher-kva.example:8080.")]
    public void A_host_name_outside_ASCII_is_refused_naming_the_form_browsers_use(string publicUrl, string asciiForm)
    {
        var problem = Assert.Single(Problems(publicUrl));

        Assert.Contains("has a host name outside ASCII", problem, StringComparison.Ordinal);
        Assert.EndsWith(asciiForm, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_outside_ASCII_is_refused_as_a_path()
    {
        var problem = Assert.Single(Problems("https://portal.example.com/pörtal"));

        Assert.Contains("has a path", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://xn--prtal-jua.example.com")]
    [InlineData("https://Portal.Example.COM")]
    [InlineData("https://portal.example.com/")]
    [InlineData("http://[::1]:5080")]
    public void An_ascii_address_at_the_root_is_accepted(string publicUrl) => Assert.Empty(Problems(publicUrl));
}
