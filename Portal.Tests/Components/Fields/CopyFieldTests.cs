using Bunit;
using Portal.Components.Fields;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Fields;

public sealed class CopyFieldTests : MudTestBase
{
    private IRenderedComponent<CopyField> Render() => Ctx.Render<CopyField>(p => p
        .Add(f => f.Label, "Consumer Key")
        .Add(f => f.Value, "portal-0123456789abcdef")
        .Add(f => f.InputId, "consumer-key"));

    [Fact]
    public void The_copy_button_is_a_button_of_its_own_and_the_status_region_starts_empty()
    {
        var cut = Render();

        var button = cut.Find("button[aria-label='Copy Consumer Key']");
        Assert.NotEqual("-1", button.GetAttribute("tabindex"));
        var status = cut.Find("[data-testid=copy-status]");
        Assert.Equal("status", status.GetAttribute("role"));
        Assert.Equal("polite", status.GetAttribute("aria-live"));
        Assert.Equal("", status.TextContent);
    }

    [Fact]
    public void A_copy_is_announced_in_the_status_region()
    {
        Ctx.JSInterop.Setup<bool>("portal.copyText", "portal-0123456789abcdef").SetResult(true);
        var cut = Render();

        cut.Find("button[aria-label='Copy Consumer Key']").Click();

        cut.WaitForAssertion(() => Assert.Equal("Consumer Key copied.", cut.Find("[role=status]").TextContent));
    }

    [Fact]
    public void A_browser_that_refuses_to_copy_is_explained_with_what_to_do_instead()
    {
        Ctx.JSInterop.Setup<bool>("portal.copyText", "portal-0123456789abcdef").SetResult(false);
        var cut = Render();

        cut.Find("button[aria-label='Copy Consumer Key']").Click();

        cut.WaitForAssertion(() => Assert.Equal("The browser did not allow copying: select the Consumer Key and copy it by hand.",
            cut.Find("[role=status]").TextContent));
    }

    [Fact]
    public void A_page_whose_script_is_missing_explains_copying_by_hand_instead_of_ending_the_page()
    {
        Ctx.JSInterop.Setup<bool>("portal.copyText", "portal-0123456789abcdef")
            .SetException(new Microsoft.JSInterop.JSException("portal is not defined"));
        var cut = Render();

        cut.Find("button[aria-label='Copy Consumer Key']").Click();

        cut.WaitForAssertion(() => Assert.Equal("The browser did not allow copying: select the Consumer Key and copy it by hand.",
            cut.Find("[role=status]").TextContent));
    }
}
