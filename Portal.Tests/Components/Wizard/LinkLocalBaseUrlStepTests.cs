using System.Net;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;
using Portal.Features.Integrations.Wizard;

namespace Portal.Tests.Components.Wizard;

/// <summary>The wizard's live check never connects to a link-local address, typed literally or behind a name.</summary>
public sealed class LinkLocalBaseUrlStepTests : WizardTestBase
{
    private readonly List<string> resolved = [];

    protected override void ConfigureServices(IServiceCollection services)
    {
        // Registered first, so the handler's own registration (TryAdd) leaves it in place.
        services.AddSingleton(new OutboundAddressGuard((host, _) =>
        {
            lock (resolved)
            {
                resolved.Add(host);
            }
            return Task.FromResult(new[] { IPAddress.Parse("169.254.169.254") });
        }));
        base.ConfigureServices(services);
    }

    [Theory]
    [InlineData("http://169.254.169.254")]
    [InlineData("http://[fe80::1]:7990")]
    [InlineData("http://[::ffff:169.254.169.254]/bitbucket")]
    public void A_literal_link_local_address_is_refused_as_typed_and_not_checked(string input)
    {
        var cut = Ctx.Render<BaseUrlStep>();

        cut.Find("input#integration-base-url").Input(input);

        WaitForText(cut, "[data-testid=base-url-invalid]", "is a link-local address (169.254.0.0/16, fe80::/10), where cloud platforms serve instance metadata");
        Assert.Equal(BaseUrlCheckStatus.Idle, Draft.Check.Status);
        Assert.Empty(resolved);
    }

    [Fact]
    public void A_name_that_resolves_to_a_link_local_address_fails_the_check_with_the_reason_and_the_fix()
    {
        var cut = Ctx.Render<BaseUrlStep>();

        cut.Find("input#integration-base-url").Input("http://metadata.example.test");

        WaitForText(cut, "[data-testid=check-failed]", "The portal refused to connect to metadata.example.test: it resolves to 169.254.169.254, a link-local address");
        Assert.Contains("correct its DNS record", cut.Find("[data-testid=check-failed]").TextContent, StringComparison.Ordinal);
        Assert.Contains("metadata.example.test", resolved);
    }
}
