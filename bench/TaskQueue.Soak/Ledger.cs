using System.Globalization;
using StackExchange.Redis;

namespace TaskQueue.Soak;

/// <summary>
/// The soak's record of every run, kept in Redis beside TaskQueue's keys (under the hash tag
/// <c>{soak:&lt;application&gt;}</c>) so that it survives the worker that wrote it. Tasks are numbered
/// 0, 1, 2, ... by the producer; per task it costs three bytes, whatever the soak's length.
/// </summary>
internal sealed class Ledger(IDatabase db, string application)
{
    // One run of task n, atomically:
    //   runs     string, one byte per task: its runs so far (BITFIELD u8 at #n, saturating at 255);
    //   first    string, two bytes per task: the worker slot that ran it first (u16 at #n);
    //   reruns   list of "n slot unix-ms", one entry per run after the first;
    //   latency  hash, enqueue→start microseconds (two significant digits) → first runs that took it.
    // KEYS: runs, first, reruns, latency. ARGV: n, slot, unix ms now, latency bucket.
    private const string RecordScript = """
        local runs = redis.call('BITFIELD', KEYS[1], 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '#' .. ARGV[1], 1)[1]
        if runs == 1 then
          redis.call('BITFIELD', KEYS[2], 'SET', 'u16', '#' .. ARGV[1], ARGV[2])
          redis.call('HINCRBY', KEYS[4], ARGV[4], 1)
        else
          redis.call('RPUSH', KEYS[3], ARGV[1] .. ' ' .. ARGV[2] .. ' ' .. ARGV[3])
        end
        return runs
        """;

    private readonly string prefix = "{soak:" + application + "}:";

    private RedisKey Runs => prefix + "runs";
    private RedisKey First => prefix + "first";
    private RedisKey Reruns => prefix + "reruns";
    private RedisKey Latency => prefix + "latency";

    /// <summary>Records one run of task <paramref name="n"/> by worker <paramref name="slot"/>, which started <paramref name="latencyMicros"/> after it was enqueued.</summary>
    public Task RecordAsync(long n, int slot, long latencyMicros)
        => db.ScriptEvaluateAsync(RecordScript, [Runs, First, Reruns, Latency],
            [n, slot, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Bucket(latencyMicros)]);

    /// <summary>Forgets the latencies recorded so far (those of the bursts measure a full queue, not the service).</summary>
    public Task ResetLatencyAsync() => db.KeyDeleteAsync(Latency);

    /// <summary>Bytes the ledger takes in Redis (MEMORY USAGE of its keys).</summary>
    public async Task<long> BytesAsync()
    {
        long total = 0;
        foreach (var key in new[] { Runs, First, Reruns, Latency })
        {
            var usage = await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", 0);
            if (!usage.IsNull) total += (long)usage;
        }
        return total;
    }

    public Task DeleteAsync() => db.KeyDeleteAsync([Runs, First, Reruns, Latency]);

    /// <summary>Counts the runs of tasks <paramref name="from"/> up to <paramref name="to"/> (not included), leaving out ids the producer could not confirm.</summary>
    public async Task<LedgerTally> TallyAsync(long from, long to, Func<long, bool> unconfirmed)
    {
        byte[] runs = (byte[]?)await db.StringGetAsync(Runs) ?? [];
        var lost = new List<long>();
        long confirmed = 0, ran = 0, runsInAll = 0, twice = 0, moreThanTwice = 0;
        for (long n = from; n < to; n++)
        {
            if (unconfirmed(n)) continue;
            confirmed++;
            int count = n < runs.Length ? runs[n] : 0;
            runsInAll += count;
            if (count == 0) lost.Add(n);
            else ran++;
            if (count > 1) twice++;
            if (count > 2) moreThanTwice++;
        }
        var reruns = await RerunsAsync(from, to);
        return new LedgerTally(confirmed, ran, runsInAll, lost, twice, moreThanTwice, reruns, await LatencyHistogramAsync());
    }

    /// <summary>Each task run more than once: the worker of its first run, and when and where it ran again.</summary>
    private async Task<IReadOnlyList<Rerun>> RerunsAsync(long from, long to)
    {
        var entries = (await db.ListRangeAsync(Reruns)).Select(e => ((string)e!).Split(' '))
            .Select(p => (N: long.Parse(p[0], CultureInfo.InvariantCulture), Slot: int.Parse(p[1], CultureInfo.InvariantCulture),
                At: DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(p[2], CultureInfo.InvariantCulture))))
            .Where(e => e.N >= from && e.N < to)
            .ToList();
        var result = new List<Rerun>(entries.Count);
        foreach (var chunk in entries.Chunk(500))
        {
            var args = chunk.SelectMany(e => new object[] { "GET", "u16", "#" + e.N.ToString(CultureInfo.InvariantCulture) }).Prepend(First).ToArray();
            var firsts = (RedisResult[])(await db.ExecuteAsync("BITFIELD", args))!;
            for (int i = 0; i < chunk.Length; i++) result.Add(new Rerun(chunk[i].N, (int)firsts[i], chunk[i].Slot, chunk[i].At));
        }
        return result;
    }

    private async Task<IReadOnlyList<(long Micros, long Count)>> LatencyHistogramAsync()
        => (await db.HashGetAllAsync(Latency))
            .Select(e => (long.Parse((string)e.Name!, CultureInfo.InvariantCulture), (long)e.Value))
            .OrderBy(e => e.Item1)
            .ToList();

    /// <summary>Rounds to two significant digits, so that the histogram has at most ~90 buckets a decade.</summary>
    private static long Bucket(long micros)
    {
        if (micros < 100) return Math.Max(0, micros);
        double scale = Math.Pow(10, Math.Floor(Math.Log10(micros)) - 1);
        return (long)(Math.Round(micros / scale) * scale);
    }
}

/// <summary>A run after the first: task <paramref name="N"/>, first run by <paramref name="FirstSlot"/>, run again by <paramref name="Slot"/> at <paramref name="At"/>.</summary>
internal readonly record struct Rerun(long N, int FirstSlot, int Slot, DateTimeOffset At);

/// <summary>What the ledger says about a range of tasks.</summary>
internal sealed record LedgerTally(long Enqueued, long Ran, long RunsInAll, IReadOnlyList<long> Lost, long RunTwice, long RunMoreThanTwice,
    IReadOnlyList<Rerun> Reruns, IReadOnlyList<(long Micros, long Count)> Latency)
{
    /// <summary>The first-run latency below which <paramref name="q"/> of the first runs started, in milliseconds.</summary>
    public double LatencyMs(double q)
    {
        long total = Latency.Sum(b => b.Count), seen = 0, rank = Math.Max(1, (long)Math.Ceiling(q * total));
        foreach (var (micros, count) in Latency)
        {
            seen += count;
            if (seen >= rank) return micros / 1000.0;
        }
        return double.NaN;
    }
}
