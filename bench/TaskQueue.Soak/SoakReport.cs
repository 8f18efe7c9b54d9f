using System.Globalization;
using static TaskQueue.Soak.SoakRun;

namespace TaskQueue.Soak;

/// <summary>The summary: a table of figures, then one row per worker process.</summary>
internal static class SoakReport
{
    public static void Print(SoakFigures f)
    {
        var o = f.Options;
        var t = f.Tally;
        var killed = f.Workers.Where(w => w.KilledAt is not null).ToDictionary(w => w.Slot);
        // A task run again after the worker of its first run was SIGKILLed is at-least-once delivery
        // doing its job; one run again while that worker lived means a delivery went wrong.
        var rerunIds = t.Reruns.GroupBy(r => r.N).Select(g => g.MinBy(r => r.At)).ToList();
        int afterKill = rerunIds.Count(r => killed.TryGetValue(r.FirstSlot, out var w) && r.At >= w.KilledAt);
        int whileAlive = rerunIds.Count - afterKill;

        Console.WriteLine();
        Console.WriteLine($"## Soak, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {Environment.ProcessorCount} cores, Redis {f.Redis}");
        Console.WriteLine();
        Console.WriteLine("| measure | value | verdict |");
        Console.WriteLine("|---|---:|---|");
        Row("worker processes × workers", $"{o.Processes} × {o.WorkersPerProcess}", $"--visibility-timeout {N(o.VisibilityTimeoutSeconds)} s, --grace 10, the rest at the worker's defaults");
        Row("drain rate (burst of " + N(o.Burst) + ", no kills)", f.DrainRate is { } d ? $"{N(d)}/s" : "not measured (--rate)");
        Row("bursts: enqueued / lost / run twice", $"{N(f.Bursts.Enqueued)} / {f.Bursts.Lost.Count} / {N(f.Bursts.RunTwice)}", f.Bursts.Lost.Count == 0 && f.Bursts.RunTwice == 0 ? "exact" : "NOT EXACT");
        Row("soak load", $"{N(f.Rate)}/s", f.DrainRate is { } dr ? $"{f.Rate / dr:P0} of the drain rate" : "");
        Row("produced for", Format(f.Produced), $"achieved {N(t.Enqueued / f.Produced.TotalSeconds)}/s, producer lag ≤ {f.MaxLag.TotalMilliseconds:0} ms, failed enqueue batches {f.FailedBatches}");
        Row("workers SIGKILLed", killed.Count.ToString(CultureInfo.InvariantCulture), $"every {N(o.KillEverySeconds)} s, each replaced at once");
        Row("queue, schedule, in flight empty after production", f.Drained ? $"{f.DrainTime.TotalSeconds:0.0} s" : "NO",
            f.Drained ? "" : $"still {f.CountsAtEnd.QueueLengths[0]} queued, {f.CountsAtEnd.Scheduled} scheduled, {f.CountsAtEnd.InFlight} in flight after {N(o.DrainTimeoutSeconds)} s");
        Row("enqueued (confirmed)", N(t.Enqueued));
        Row("completed (run at least once)", N(t.Ran), $"{N(t.RunsInAll)} runs in all");
        Row("**lost** (enqueued, never run)", N(t.Lost.Count), t.Lost.Count == 0 ? "none" : "LOST: " + string.Join(", ", t.Lost.Take(10)) + (t.Lost.Count > 10 ? ", ..." : ""));
        Row("run twice or more", N(t.RunTwice), $"{afterKill} after their first worker was SIGKILLed, {whileAlive} while it lived; {t.RunMoreThanTwice} more than twice");
        Row("dead letters", N(f.DeadLetters.Count), string.Join("; ", f.DeadLetters.GroupBy(d => d.Reason).Select(g => $"{g.Count()} × {g.Key}")));
        Row("enqueue→start p50 / p99 / p99.9 (first runs)", $"{Ms(t.LatencyMs(0.50))} / {Ms(t.LatencyMs(0.99))} / {Ms(t.LatencyMs(0.999))} ms", $"max {Ms(t.LatencyMs(1))} ms");
        Row("Redis used_memory, start → end", $"{Bytes(f.MemoryStart.UsedMemory)} → {Bytes(f.MemoryEnd.UsedMemory)}", $"without the soak's ledger {Bytes(f.MemoryStart.WithoutLedger)} → {Bytes(f.MemoryEnd.WithoutLedger)}");
        Row("TaskQueue keys, start → end", $"{f.MemoryStart.Keys.Values.Sum()} → {f.MemoryEnd.Keys.Values.Sum()}", $"{Bytes(f.MemoryStart.KeyBytes)} → {Bytes(f.MemoryEnd.KeyBytes)}; at end: {f.MemoryEnd.KeysText}");
        Row("tasks handed back by the reapers", N(f.Workers.Sum(w => w.HandedBack)), "from the workers' logs: taken by a killed worker, back on the queue after the visibility timeout");
        Row("worker warnings / errors logged", $"{f.Workers.Sum(w => w.Warnings)} / {f.Workers.Sum(w => w.Errors)}", f.LogPath);

        Console.WriteLine();
        Console.WriteLine("| worker | pid | started | ready after | end | RSS at start | RSS at end | peak RSS |");
        Console.WriteLine("|---|---:|---:|---:|---|---:|---:|---:|");
        foreach (var w in f.Workers)
        {
            string end = w.KilledAt is { } k ? $"SIGKILL at {Format(k - f.SoakStart)}"
                : w.ExitedOnItsOwn ? $"EXITED on its own, code {w.ExitCode}"
                : w.ExitCode is { } code ? $"SIGTERM, exit code {code}"
                : "did not exit after SIGTERM";
            var started = w.StartedAt - f.SoakStart;
            Console.WriteLine($"| {w.Slot} | {w.Pid} | {(started < TimeSpan.Zero ? "before" : Format(started))} | " +
                $"{(w.StartupTime is { } s ? $"{s.TotalSeconds:0.0} s" : "–")} | {end} | {Mb(w.RssStartKb)} | {Mb(w.RssEndKb)} | {Mb(w.PeakRssKb)} |");
        }
        Console.WriteLine();
        Console.WriteLine("RSS at start: when the soak began (first workers, warmed by the bursts) or when the replacement said it was ready;");
        Console.WriteLine("at end: just before its SIGKILL, or once the queue was empty. Peak: VmHWM.");
        Console.WriteLine(f.Passed ? "PASSED: nothing lost." : "FAILED: tasks lost or the queue did not drain.");
    }

    private static void Row(string name, string value, string verdict = "") => Console.WriteLine($"| {name} | {value} | {verdict} |");

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double value) => value.ToString(value < 10 ? "0.00" : "0", CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => bytes < 1 << 20
        ? (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB"
        : (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
}
