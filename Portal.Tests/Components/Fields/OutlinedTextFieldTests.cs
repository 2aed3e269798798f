using Bunit;
using Microsoft.AspNetCore.Components;
using Portal.Components.Fields;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Fields;

public sealed class OutlinedTextFieldTests : MudTestBase
{
    private string reported = "";

    private IRenderedComponent<OutlinedTextField> Render(string value = "") => Ctx.Render<OutlinedTextField>(p => p
        .Add(f => f.Label, "Base URL")
        .Add(f => f.Id, "base-url")
        .Add(f => f.Value, value)
        .Add(f => f.HelperText, "Where people open it.")
        .Add(f => f.MessagesId, "base-url-messages")
        .Add(f => f.ValueChanged, EventCallback.Factory.Create<string>(this, v => reported = v)));

    [Fact]
    public void The_visible_label_names_the_input_and_the_helper_text_and_messages_describe_it()
    {
        var cut = Render();

        Assert.Equal("Base URL", cut.Find("label[for=base-url]").TextContent);
        Assert.Equal("base-url-helper-text base-url-messages", cut.Find("input#base-url").GetAttribute("aria-describedby"));
        Assert.Equal("Where people open it.", cut.Find("#base-url-helper-text").TextContent);
    }

    [Fact]
    public void Every_keystroke_is_reported_and_the_label_moves_up_once_there_is_text()
    {
        var cut = Render();
        Assert.DoesNotContain("mud-shrink", cut.Find(".mud-input").ClassName);

        cut.Find("input#base-url").Input("https://b");

        Assert.Equal("https://b", reported);
        Assert.Contains("mud-shrink", cut.Find(".mud-input").ClassName);
    }

    [Fact]
    public void An_older_value_passed_in_while_the_person_types_does_not_replace_what_they_typed()
    {
        var cut = Render();
        var input = cut.Find("input#base-url");
        input.Focus();
        cut.Find("input#base-url").Input("https://bitbucket");

        // The page renders with the value it had before the last keystrokes reached it.
        cut.Render(p => p.Add(f => f.Value, "https://bit"));
        Assert.Equal("https://bitbucket", cut.Find("input#base-url").GetAttribute("value"));

        // Once the focus has left, the page's value counts again (as after Start over).
        cut.Find("input#base-url").Blur();
        cut.Render(p => p.Add(f => f.Value, ""));
        Assert.Equal("", cut.Find("input#base-url").GetAttribute("value"));
    }
}
