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
    public void Nothing_the_server_renders_writes_a_field_while_it_has_the_focus_so_an_older_value_cannot_replace_what_was_typed()
    {
        var cut = Render("https://");
        cut.Find("input#base-url").Focus();
        cut.Find("input#base-url").Input("https://bit");
        cut.Find("input#base-url").Input("https://bitbucket");
        Assert.Equal("https://bitbucket", reported);

        // The page renders with the value it had before the last keystrokes reached it: the field's value stays what the
        // server rendered before the focus came, so the browser keeps what was typed.
        cut.Render(p => p.Add(f => f.Value, "https://bit"));
        Assert.Equal("https://", cut.Find("input#base-url").GetAttribute("value"));
        Assert.Contains("mud-shrink", cut.Find(".mud-input").ClassName);

        // When the focus leaves, the field holds what was typed; from then on the page's value counts again (as after Start over).
        cut.Find("input#base-url").Blur();
        Assert.Equal("https://bitbucket", cut.Find("input#base-url").GetAttribute("value"));
        cut.Render(p => p.Add(f => f.Value, ""));
        Assert.Equal("", cut.Find("input#base-url").GetAttribute("value"));
    }

    [Fact]
    public void A_value_the_page_sets_while_the_field_has_the_focus_is_shown_when_the_focus_leaves_unless_typed_over()
    {
        var cut = Render("Acme");
        cut.Find("input#base-url").Focus();

        // A restored draft arrives while the field has the focus, before anything is typed.
        cut.Render(p => p.Add(f => f.Value, "Restored"));
        Assert.Equal("Acme", cut.Find("input#base-url").GetAttribute("value"));
        cut.Find("input#base-url").Blur();
        Assert.Equal("Restored", cut.Find("input#base-url").GetAttribute("value"));

        // Typed after the page's change: what was typed wins.
        cut.Find("input#base-url").Focus();
        cut.Render(p => p.Add(f => f.Value, "From the page"));
        cut.Find("input#base-url").Input("Typed");
        cut.Find("input#base-url").Blur();
        Assert.Equal("Typed", cut.Find("input#base-url").GetAttribute("value"));
        Assert.Equal("Typed", reported);
    }

    [Fact]
    public void A_read_only_field_always_shows_the_page_s_value_even_with_the_focus()
    {
        var cut = Ctx.Render<OutlinedTextField>(p => p
            .Add(f => f.Label, "Public key")
            .Add(f => f.Id, "public-key")
            .Add(f => f.Value, "old key")
            .Add(f => f.ReadOnly, true));
        cut.Find("input#public-key").Focus();

        cut.Render(p => p.Add(f => f.Value, "new key"));

        Assert.Equal("new key", cut.Find("input#public-key").GetAttribute("value"));
    }

    [Fact]
    public void Text_filled_in_without_the_focus_is_what_the_field_holds()
    {
        var cut = Render();

        cut.Find("input#base-url").Input("https://bitbucket.example.com");

        Assert.Equal("https://bitbucket.example.com", reported);
        Assert.Equal("https://bitbucket.example.com", cut.Find("input#base-url").GetAttribute("value"));
    }
}
