using System.Globalization;
using System.Text;

namespace Portal.Core.Integrations;

/// <summary>
/// Characters a reader cannot see, or that reorder the text around them: control and format characters (bidi
/// overrides and isolates, zero-width spaces and joiners, the byte-order mark), line and paragraph separators,
/// private-use and unassigned code points, and the blank "filler" letters some scripts have. In a name shown on a
/// "Sign in with …" button they let two different names look alike, or one name look like another.
/// </summary>
public static class InvisibleCharacters
{
    // Letters and marks that render as nothing although their category says otherwise.
    private static readonly HashSet<int> InvisibleLetters =
    [
        0x034F, // combining grapheme joiner
        0x115F, 0x1160, // Hangul choseong and jungseong fillers
        0x17B4, 0x17B5, // Khmer inherent vowels
        0x180E, // Mongolian vowel separator
        0x2800, // braille pattern blank
        0x3164, // Hangul filler
        0xFFA0, // halfwidth Hangul filler
    ];

    private static readonly Dictionary<int, string> Names = new()
    {
        [0x0009] = "tab",
        [0x000A] = "line feed",
        [0x000D] = "carriage return",
        [0x061C] = "Arabic letter mark",
        [0x200B] = "zero width space",
        [0x200C] = "zero width non-joiner",
        [0x200D] = "zero width joiner",
        [0x200E] = "left-to-right mark",
        [0x200F] = "right-to-left mark",
        [0x2028] = "line separator",
        [0x2029] = "paragraph separator",
        [0x202A] = "left-to-right embedding",
        [0x202B] = "right-to-left embedding",
        [0x202C] = "pop directional formatting",
        [0x202D] = "left-to-right override",
        [0x202E] = "right-to-left override",
        [0x2060] = "word joiner",
        [0x2066] = "left-to-right isolate",
        [0x2067] = "right-to-left isolate",
        [0x2068] = "first strong isolate",
        [0x2069] = "pop directional isolate",
        [0x3164] = "Hangul filler",
        [0x115F] = "Hangul choseong filler",
        [0x1160] = "Hangul jungseong filler",
        [0xFFA0] = "halfwidth Hangul filler",
        [0x2800] = "braille pattern blank",
        [0xFEFF] = "zero width no-break space (byte-order mark)",
    };

    /// <summary>The first invisible or direction-changing code point in <paramref name="text"/>, or <c>null</c> when there is none.</summary>
    /// <remarks>An unpaired surrogate counts as invisible: it is not a character at all.</remarks>
    public static int? FindFirst(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        for (var i = 0; i < text.Length; i++)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return text[i];
            }
            if (IsInvisible(rune))
            {
                return rune.Value;
            }
            i += consumed - 1;
        }
        return null;
    }

    /// <summary>Whether <paramref name="rune"/> is invisible or changes the direction of the text around it.</summary>
    public static bool IsInvisible(Rune rune) =>
        InvisibleLetters.Contains(rune.Value) || Rune.GetUnicodeCategory(rune) is
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.Surrogate;

    /// <summary>"U+202E, right-to-left override": the code point, and its name when it is a well-known one.</summary>
    public static string Describe(int codePoint)
    {
        var code = string.Create(CultureInfo.InvariantCulture, $"U+{codePoint:X4}");
        return Names.TryGetValue(codePoint, out var name) ? $"{code}, {name}" : code;
    }
}
