using Portal.Core.Persistence;

namespace Portal.Components.Database;

/// <summary>
/// A page's own read of the database once its connection is live: the database may fail between the prerendered
/// page (whose failure the error page explains) and the live one, which would otherwise stop with "Something went wrong".
/// </summary>
internal static class DatabaseRead
{
    /// <returns>Null when <paramref name="read"/> worked; otherwise what to show instead, naming the database's problem.</returns>
    public static async Task<string?> TryAsync(bool interactive, Func<Task> read)
    {
        if (!interactive)
        {
            await read(); // prerendering: the error page names the problem, with the right status code
            return null;
        }
        try
        {
            await read();
            return null;
        }
        catch (Exception e) when (DatabaseFailure.DescribeRead(e) is { } reason)
        {
            return $"The page could not read from the portal's database, so it cannot show this part. {reason}";
        }
    }
}
