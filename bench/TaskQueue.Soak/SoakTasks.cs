using StackExchange.Redis;

namespace TaskQueue.Soak;

/// <summary>The soak's one task, and what a worker process needs to run it.</summary>
public static class SoakTasks
{
    /// <summary>Set by <see cref="WorkerPool"/> for each worker process it starts.</summary>
    internal const string RedisVariable = "SOAK_REDIS", ApplicationVariable = "SOAK_APP", SlotVariable = "SOAK_SLOT";

    private static readonly int Slot = int.Parse(Environment.GetEnvironmentVariable(SlotVariable) ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    // One multiplexed connection per process, made at the first run.
    private static readonly Lazy<Task<Ledger>> WorkerLedger = new(async () => new Ledger(
        (await ConnectionMultiplexer.ConnectAsync(Required(RedisVariable))).GetDatabase(), Required(ApplicationVariable)));

    /// <summary>
    /// Records one run of task <paramref name="n"/> in the ledger, with this worker's slot and how
    /// long after <paramref name="sentTicks"/> (the producer's <see cref="DateTime.UtcNow"/>, same
    /// machine) it started. That Redis call is the task's work.
    /// </summary>
    [Task]
    public static async Task CountRun(long n, long sentTicks)
    {
        long latencyMicros = (DateTime.UtcNow.Ticks - sentTicks) / TimeSpan.TicksPerMicrosecond;
        var ledger = await WorkerLedger.Value;
        await ledger.RecordAsync(n, Slot, latencyMicros);
    }

    private static string Required(string variable)
        => Environment.GetEnvironmentVariable(variable) ?? throw new InvalidOperationException($"{variable} is not set: this worker was not started by the soak.");
}
