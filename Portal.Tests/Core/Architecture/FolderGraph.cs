namespace Portal.Tests.Core.Architecture;

/// <summary>Cycles in a directed graph of folders, for the architecture tests' messages.</summary>
public static class FolderGraph
{
    /// <summary>
    /// For every edge that lies on a cycle, the shortest cycle through it, written from its alphabetically first
    /// folder and closed on it ("A -> B -> A"); each cycle once, shortest first.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IEnumerable<(string From, string To)> edges)
    {
        var successors = edges
            .Where(e => e.From != e.To)
            .GroupBy(e => e.From)
            .ToDictionary(g => g.Key, g => g.Select(e => e.To).Distinct().Order(StringComparer.Ordinal).ToList());
        var cycles = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (from, targets) in successors)
        {
            foreach (var to in targets)
            {
                if (ShortestPath(successors, to, from) is not { } back)
                {
                    continue;
                }
                var cycle = Rotate([from, .. back.SkipLast(1)]);
                cycles.TryAdd(string.Join(" -> ", cycle), cycle);
            }
        }
        return cycles.Values
            .OrderBy(c => c.Count)
            .ThenBy(c => string.Join(" -> ", c), StringComparer.Ordinal)
            .ToList();
    }

    private static List<string>? ShortestPath(Dictionary<string, List<string>> successors, string start, string goal)
    {
        var previous = new Dictionary<string, string?>(StringComparer.Ordinal) { [start] = null };
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var node))
        {
            if (node == goal)
            {
                var path = new List<string>();
                for (string? at = goal; at is not null; at = previous[at])
                {
                    path.Add(at);
                }
                path.Reverse();
                return path;
            }
            foreach (var next in successors.GetValueOrDefault(node) ?? [])
            {
                if (previous.TryAdd(next, node))
                {
                    queue.Enqueue(next);
                }
            }
        }
        return null;
    }

    /// <summary>Starts the open cycle at its alphabetically first folder and closes it on that folder.</summary>
    private static List<string> Rotate(List<string> open)
    {
        var first = open.IndexOf(open.Min(StringComparer.Ordinal)!);
        var rotated = open.Skip(first).Concat(open.Take(first)).ToList();
        rotated.Add(rotated[0]);
        return rotated;
    }
}
