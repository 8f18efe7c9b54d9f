using System.Diagnostics;
using StackExchange.Redis;

namespace TaskQueue.Soak;

/// <summary>
/// Enqueues <see cref="SoakTasks.CountRun"/> for tasks 0, 1, 2, ... in batches, each carrying its
/// enqueue time. A batch whose enqueue failed may or may not be in Redis: its ids are kept apart,
/// so that the count of lost tasks only holds tasks that were surely enqueued.
/// </summary>
internal sealed class Producer(TaskApp app)
{
    private const int MaxBatch = 1000;
    private readonly List<(long From, long To)> unconfirmed = [];

    /// <summary>The next task number: every task below it was sent.</summary>
    public long Next { get; private set; }

    public int FailedBatches => unconfirmed.Count;

    /// <summary>The furthest the paced producer fell behind its schedule.</summary>
    public TimeSpan MaxLag { get; private set; }

    public bool IsUnconfirmed(long n) => unconfirmed.Exists(r => n >= r.From && n < r.To);

    /// <summary>Enqueues <paramref name="count"/> tasks as fast as batches go.</summary>
    public async Task BurstAsync(int count)
    {
        for (int sent = 0; sent < count; sent += MaxBatch) await SendAsync(Math.Min(MaxBatch, count - sent));
    }

    /// <summary>Enqueues <paramref name="perSecond"/> tasks a second, evenly, for <paramref name="duration"/>.</summary>
    public async Task PacedAsync(double perSecond, TimeSpan duration)
    {
        long first = Next;
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(start);
            long due = (long)(perSecond * Math.Min(elapsed.TotalSeconds, duration.TotalSeconds));
            var lag = TimeSpan.FromSeconds((due - (Next - first)) / perSecond);
            if (lag > MaxLag) MaxLag = lag;
            while (Next - first < due) await SendAsync((int)Math.Min(MaxBatch, due - (Next - first)));
            if (elapsed >= duration) return;
            // Sleep rather than spin: on a small machine a spinning producer takes the workers' core.
            await Task.Delay(5);
        }
    }

    private async Task SendAsync(int count)
    {
        long from = Next, sentTicks = DateTime.UtcNow.Ticks;
        Next += count;
        try
        {
            await CountRun.With(app).EnqueueManyAsync(Enumerable.Range(0, count).Select(i => (from + i, sentTicks)));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            unconfirmed.Add((from, Next));
            Console.WriteLine($"  enqueue of tasks {from}..{Next - 1} failed: {e.GetType().Name}: {e.Message}");
        }
    }
}
