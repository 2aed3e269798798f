namespace Portal.Core.Persistence;

/// <summary>
/// Text shortened to a column's length: PostgreSQL refuses longer values where SQLite stores them, and a message that
/// lists many names (a certificate's, say) must not make the save of a sign-in or a check fail.
/// </summary>
public static class ColumnText
{
    public static string Fit(string text, int maxLength) => text.Length <= maxLength ? text : text[..(maxLength - 1)] + "…";

    public static string? FitOrNull(string? text, int maxLength) => text is null ? null : Fit(text, maxLength);
}
