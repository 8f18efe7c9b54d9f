using System.Globalization;
using StackExchange.Redis;

namespace TaskQueue.Soak;

/// <summary>Redis memory at one moment: the server's, the ledger's, and the application's keys by kind.</summary>
/// <param name="UsedMemory">INFO memory used_memory of the whole server.</param>
/// <param name="LedgerBytes">What the soak's own ledger takes of it.</param>
/// <param name="Keys">The application's keys, by kind (the part of the name after the hash tag, up to its first ':').</param>
/// <param name="KeyBytes">MEMORY USAGE of the application's keys, summed.</param>
internal sealed record RedisMemory(long UsedMemory, long LedgerBytes, IReadOnlyDictionary<string, int> Keys, long KeyBytes)
{
    public long WithoutLedger => UsedMemory - LedgerBytes;

    public string KeysText => string.Join(", ", Keys.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}"));
}

internal sealed class RedisSnapshot(IServer server, Ledger ledger, string application)
{
    // The application's keys: its shared slot "{tq:app}:", its queues' "{tq:app:q:<queue>}:" and its
    // results' "{tq:app:r:<id>}". Queue keys count by kind after the tag ("q:ready", "q:p", ...), a result as "r".
    private readonly string prefix = "{tq:" + application;

    public async Task<RedisMemory> TakeAsync()
    {
        var info = await server.InfoAsync("memory");
        long used = long.Parse(info.SelectMany(g => g).First(kv => kv.Key == "used_memory").Value, CultureInfo.InvariantCulture);
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long bytes = 0;
        var db = server.Multiplexer.GetDatabase();
        // The pattern's braces are literal: only * ? [ and \ are special in a SCAN pattern.
        await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 1000))
        {
            string name = ((string)key!)[prefix.Length..];
            string kind = name.StartsWith("}:", StringComparison.Ordinal) ? name[2..].Split(':')[0]
                : name.StartsWith(":q:", StringComparison.Ordinal) ? "q:" + name[(name.IndexOf("}:", StringComparison.Ordinal) + 2)..].Split(':')[0]
                : name.StartsWith(":r:", StringComparison.Ordinal) ? "r"
                : "?";
            if (kind == "?") continue;   // another application whose name starts with this one's
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            var usage = await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", 0);
            if (!usage.IsNull) bytes += (long)usage;
        }
        return new RedisMemory(used, await ledger.BytesAsync(), kinds, bytes);
    }
}
