using System.Text;

namespace Portal.Core.Connections;

/// <summary>Reads the start of an answer: enough to recognise JSON or a page, never a whole download.</summary>
public static class ResponseBody
{
    public static async Task<string> ReadStartAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[maxBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }
        // A byte order mark is allowed before JSON (RFC 8259 lets parsers ignore it) but would make it unreadable here.
        var start = length >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
        return Encoding.UTF8.GetString(buffer, start, length - start);
    }
}
