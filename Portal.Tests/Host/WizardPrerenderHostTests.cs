using System.Net;
using System.Text.RegularExpressions;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// The wizard's first answer is prerendered HTML that the page replaces once it becomes interactive: its fields must
/// not take typing before then, or what was typed would vanish.
/// </summary>
public sealed partial class WizardPrerenderHostTests
{
    [Fact]
    public async Task The_prerendered_wizard_takes_no_input_until_it_is_interactive()
    {
        await using var host = new PortalHost();
        using var admin = await host.CreateSetupAdminClientAsync();

        var response = await admin.GetAsync(new Uri("/integrations/new", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var id in new[] { "integration-name", "integration-platform", "integration-base-url" })
        {
            var element = Regex.Match(html, $"<(input|select)[^>]*id=\"{id}\"[^>]*>").Value;
            Assert.NotEmpty(element);
            Assert.Matches(DisabledAttribute(), element);
        }
    }

    [GeneratedRegex(@"\sdisabled(\s|>|=)")]
    private static partial Regex DisabledAttribute();
}
