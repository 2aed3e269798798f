using Bunit;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Portal.Components.Pages;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components;

/// <summary>The page a failed request ends on names a database failure's cause and fix, and nothing else's.</summary>
public sealed class ErrorPageTests : MudTestBase
{
    private IRenderedComponent<Error> RenderAfter(Exception error, string method = "POST", Endpoint? endpoint = null)
    {
        // As the error pages run: a failed POST is re-executed as a GET, remembering the method it had.
        var http = new DefaultHttpContext { TraceIdentifier = "trace-1" };
        http.Request.Method = "GET";
        http.Items[Portal.Web.ErrorPages.OriginalMethodKey] = method;
        http.Features.Set<IExceptionHandlerFeature>(new ExceptionHandlerFeature { Error = error, Path = "/integrations", Endpoint = endpoint });
        return Ctx.Render<Error>(p => p.AddCascadingValue(http));
    }

    [Fact]
    public void A_request_that_failed_in_the_database_names_the_cause_and_the_fix()
    {
        var cut = RenderAfter(new InvalidOperationException("wrapped", new SqliteException("database or disk is full", 13)));

        Assert.Equal("The portal could not use its database: The database's disk is full, so nothing was saved. Free disk space on the portal's server, then try again.",
            cut.Find("[data-testid=database-problem]").TextContent.Trim());
    }

    [Fact]
    public void A_page_that_failed_to_load_in_the_database_does_not_speak_of_a_lost_change()
    {
        var page = new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(new Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata(typeof(Error))), "a page");
        var cut = RenderAfter(new InvalidOperationException("wrapped", new SqliteException("database is locked", 5)), method: "GET", endpoint: page);

        Assert.Equal("The portal could not use its database: The database is busy: another process (a backup, or a second portal on the same file) holds a lock on it. Try again in a moment.",
            cut.Find("[data-testid=database-problem]").TextContent.Trim());
    }

    [Fact]
    public void An_endpoint_that_writes_on_a_GET_keeps_the_words_for_a_change()
    {
        var callback = new Endpoint(_ => Task.CompletedTask, EndpointMetadataCollection.Empty, "the sign-in's callback");

        var cut = RenderAfter(new InvalidOperationException("wrapped", new SqliteException("database or disk is full", 13)), method: "GET", endpoint: callback);

        Assert.Contains("so nothing was saved", cut.Find("[data-testid=database-problem]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_other_failure_shows_only_the_request_id_and_no_internal_detail()
    {
        var cut = RenderAfter(new InvalidOperationException("secret internal detail"));

        Assert.Empty(cut.FindAll("[data-testid=database-problem]"));
        Assert.DoesNotContain("secret internal detail", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("trace-1", cut.Markup, StringComparison.Ordinal);
    }
}
