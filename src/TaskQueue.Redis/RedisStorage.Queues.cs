using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace TaskQueue.Redis;

/// <content>
/// Queues as slots: partitions, the registry of queues in use, the outbox that carries fired
/// messages from the application's slot to a queue's, and the servers a scan must visit.
/// </content>
public sealed partial class RedisStorage
{
    private static readonly long RegistryRefreshMs = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;
    private readonly ConcurrentDictionary<string, long> registered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, QueueKeys[]> partitionKeys = new(StringComparer.Ordinal);
    private int nextPartition;

    /// <summary>The partitions of <paramref name="queue"/> in order (just the queue when it has none).</summary>
    private QueueKeys[] PartitionsOf(string queue)
    {
        if (partitionKeys.TryGetValue(queue, out var found)) return found;
        int count = partitions.TryGetValue(queue, out int n) ? n : 1;
        var all = new QueueKeys[count];
        all[0] = keys.Of(queue);
        for (int i = 1; i < count; i++) all[i] = keys.Of(PartitionName(queue, i));
        return partitionKeys.GetOrAdd(queue, all);
    }

    /// <summary>The name of partition <paramref name="index"/> (1 or more) of <paramref name="queue"/>.</summary>
    internal static string PartitionName(string queue, int index) => queue + "#" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Where the next send to <paramref name="queue"/> goes: its partitions in turn.</summary>
    private QueueKeys NextPartition(string queue)
    {
        var all = PartitionsOf(queue);
        return all.Length == 1 ? all[0] : all[(int)((uint)Interlocked.Increment(ref nextPartition) % (uint)all.Length)];
    }

    /// <summary>The queue a partition belongs to: <c>orders#3</c> is partition 3 of <c>orders</c> when <c>orders</c> has more than 3.</summary>
    private string QueueOf(string partition)
    {
        int hash = partition.LastIndexOf('#');
        if (hash <= 0 || !int.TryParse(partition.AsSpan(hash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int index)) return partition;
        return partitions.TryGetValue(partition[..hash], out int count) && index < count && index > 0 ? partition[..hash] : partition;
    }

    /// <summary>
    /// The queues (partitions) a take on <paramref name="queues"/> tries, in order: each queue's
    /// partitions, starting from a different one each time so that all of them are served.
    /// </summary>
    private QueueKeys[] TakeOrder(IReadOnlyList<string> queues)
    {
        if (queues.Count == 1)
        {
            ArgumentException.ThrowIfNullOrEmpty(queues[0], nameof(queues));
            if (PartitionsOf(queues[0]) is { Length: 1 } one) return one;
        }
        int total = 0;
        for (int i = 0; i < queues.Count; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(queues[i], nameof(queues));
            total += PartitionsOf(queues[i]).Length;
        }
        var order = new QueueKeys[total];
        int at = 0;
        for (int i = 0; i < queues.Count; i++)
        {
            var all = PartitionsOf(queues[i]);
            int start = all.Length == 1 ? 0 : (int)((uint)Interlocked.Increment(ref nextPartition) % (uint)all.Length);
            for (int j = 0; j < all.Length; j++) order[at++] = all[(start + j) % all.Length];
        }
        return order;
    }

    /// <summary>
    /// Adds <paramref name="queue"/> to the registry that the reaper, the promoter and inspection
    /// walk: before its first write from this process, and again once a minute (so that a registry
    /// flushed meanwhile is mended by the next write).
    /// </summary>
    private ValueTask RegisterAsync(QueueKeys queue)
    {
        long now = Environment.TickCount64;
        if (registered.TryGetValue(queue.Name, out long at) && now - at < RegistryRefreshMs) return ValueTask.CompletedTask;
        return RegisterSlowAsync(queue, now);
    }

    private async ValueTask RegisterSlowAsync(QueueKeys queue, long now)
    {
        await db.SetAddAsync(keys.Queues, queue.Name).ConfigureAwait(false);
        registered[queue.Name] = now;
    }

    /// <summary>Every queue (partition) in the registry.</summary>
    private async Task<QueueKeys[]> RegisteredQueuesAsync()
    {
        var names = await db.SetMembersAsync(keys.Queues).ConfigureAwait(false);
        var all = new QueueKeys[names.Length];
        for (int i = 0; i < names.Length; i++) all[i] = keys.Of((string)names[i]!);
        Array.Sort(all, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return all;
    }

    /// <summary>
    /// Relays one outbox record to its queue, once: the message goes to the queue with the record's
    /// bit set in the queue's outbox send bitmap (a second relay of the same record stores nothing),
    /// then the record leaves the outbox. A fire relays its own record at once; the reaper relays
    /// what a process that died in between left (the send memo lasts 10 minutes: a record left longer,
    /// with no consumer reaping meanwhile, could be queued twice).
    /// </summary>
    private async Task RelayAsync(byte[] record)
    {
        if (!TryParseOutbox(record, out long id, out int priority, out string queue, out int entryAt))
        {
            // Not a record this storage wrote: it cannot be relayed, and must not block the outbox.
            await db.ListRemoveAsync(keys.Outbox, record, 1).ConfigureAwait(false);
            return;
        }
        var target = keys.Of(queue);
        await RegisterAsync(target).ConfigureAwait(false);
        await db.ScriptEvaluateAsync(LuaScripts.Enqueue, [target.Ready, target.Priorities, target.Marked, target.Sent("outbox", id)],
            [priority, target.ReadyPrefix, id % QueueKeys.SendsPerBitmap, SentTtl, record.AsMemory(entryAt)]).ConfigureAwait(false);
        // Sent without waiting for the reply: a removal lost with the connection leaves the record for
        // the next reap, whose relay the send memo makes a no-op.
        db.ListRemove(keys.Outbox, record, 1, CommandFlags.FireAndForget);
    }

    /// <summary>Relays every record in the outbox (part of <see cref="ReapAsync"/>).</summary>
    private async Task RelayOutboxAsync()
    {
        for (int round = 0; round < 100; round++)
        {
            var records = await db.ListRangeAsync(keys.Outbox, 0, 99).ConfigureAwait(false);
            if (records.Length == 0) return;
            foreach (var record in records) await RelayAsync((byte[])record!).ConfigureAwait(false);
        }
    }

    /// <summary>Reads an outbox record: <c>&lt;id&gt;|&lt;priority&gt;|&lt;queue length&gt;|&lt;queue&gt;&lt;entry&gt;</c>.</summary>
    private static bool TryParseOutbox(byte[] record, out long id, out int priority, out string queue, out int entryAt)
    {
        id = 0;
        priority = 0;
        queue = "";
        entryAt = 0;
        var span = record.AsSpan();
        int a = span.IndexOf((byte)'|');
        if (a <= 0 || !System.Buffers.Text.Utf8Parser.TryParse(span[..a], out id, out int used) || used != a) return false;
        int b = span[(a + 1)..].IndexOf((byte)'|') + a + 1;
        if (b <= a || !System.Buffers.Text.Utf8Parser.TryParse(span[(a + 1)..b], out priority, out used) || used != b - a - 1) return false;
        int c = span[(b + 1)..].IndexOf((byte)'|') + b + 1;
        if (c <= b || !System.Buffers.Text.Utf8Parser.TryParse(span[(b + 1)..c], out int length, out used) || used != c - b - 1) return false;
        if (length <= 0 || c + 1 + length >= record.Length) return false;
        queue = Encoding.UTF8.GetString(span.Slice(c + 1, length));
        entryAt = c + 1 + length;
        return true;
    }

    /// <summary>The primaries a scan must visit: the one server, or every primary of a cluster.</summary>
    private IServer[] Primaries()
    {
        var servers = connection.GetServers();
        var primaries = Array.FindAll(servers, s => s.IsConnected && !s.IsReplica);
        if (primaries.Length > 0) return primaries;
        return [connection.GetServer(keys.Queues)];
    }
}
