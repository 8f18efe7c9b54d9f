using System.Globalization;

namespace TaskQueue.Testing;

/// <summary>One node of a Redis Cluster as another node sees it: a line of <c>CLUSTER NODES</c>.</summary>
/// <param name="Id">The node id.</param>
/// <param name="Port">Its client port (on 127.0.0.1).</param>
/// <param name="IsPrimary">Whether it is a primary (flag <c>master</c>).</param>
/// <param name="PrimaryId">For a replica, the id of its primary; null for a primary.</param>
/// <param name="IsFailing">Whether the reporting node thinks it down (flag <c>fail</c> or <c>fail?</c>).</param>
/// <param name="Slots">The slot ranges it serves, inclusive.</param>
public sealed record RedisClusterNode(string Id, int Port, bool IsPrimary, string? PrimaryId, bool IsFailing, IReadOnlyList<(int First, int Last)> Slots)
{
    /// <summary>Its endpoint, <c>127.0.0.1:port</c>.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Whether it serves <paramref name="slot"/>.</summary>
    public bool Serves(int slot) => Slots.Any(r => r.First <= slot && slot <= r.Last);

    /// <summary>Parses a <c>CLUSTER NODES</c> reply (slots being migrated, in brackets, are left out).</summary>
    public static IReadOnlyList<RedisClusterNode> ParseAll(string text)
    {
        var nodes = new List<RedisClusterNode>();
        foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // <id> <ip:port@cport[,hostname]> <flags> <primary id or -> <ping-sent> <pong-recv> <epoch> <link-state> <slot>...
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 8) continue;
            int at = fields[1].IndexOf('@', StringComparison.Ordinal);
            var address = at >= 0 ? fields[1][..at] : fields[1];
            int colon = address.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port)) continue;
            var flags = fields[2].Split(',');
            var slots = new List<(int, int)>();
            foreach (var range in fields.Skip(8))
            {
                if (range.StartsWith('[')) continue;
                var ends = range.Split('-');
                int first = int.Parse(ends[0], CultureInfo.InvariantCulture);
                slots.Add((first, ends.Length > 1 ? int.Parse(ends[1], CultureInfo.InvariantCulture) : first));
            }
            nodes.Add(new RedisClusterNode(fields[0], port, flags.Contains("master"), fields[3] == "-" ? null : fields[3],
                flags.Contains("fail") || flags.Contains("fail?"), slots));
        }
        return nodes;
    }

    /// <inheritdoc />
    public override string ToString()
        => $"{Endpoint} {(IsPrimary ? "primary" : "replica of " + PrimaryId?[..8])}{(IsFailing ? " (failing)" : "")} {Id[..8]}"
           + (Slots.Count == 0 ? "" : " slots " + string.Join(",", Slots.Select(r => r.First == r.Last ? $"{r.First}" : $"{r.First}-{r.Last}")));
}
