using System.Diagnostics.Metrics;
using TaskQueue.Storage;

namespace TaskQueue.Diagnostics;

/// <summary>
/// The storage figures behind the observable gauges. Each running consumer registers what it can
/// read (its app's storage and queues); a gauge callback, which must not block, reports the last
/// figures read and asks for fresh ones in the background when they are older than
/// <see cref="TaskQueueInstrumentation.GaugeRefreshInterval"/>, so storage is read at most that often
/// per app and only while somebody collects the gauges.
/// </summary>
internal static class StorageGauges
{
    private static readonly Lock Gate = new();
    private static Source[] sources = [];

    /// <summary>Adds a source until the returned handle is disposed.</summary>
    public static IDisposable Register(TaskApp app, IReadOnlyList<string> queues)
    {
        var source = new Source(app, [.. queues]);
        lock (Gate) sources = [.. sources, source];
        return source;
    }

    public static IEnumerable<Measurement<long>> QueueDepths()
    {
        foreach (var (source, counts) in Current())
        {
            for (int i = 0; i < source.Queues.Length && i < counts.QueueLengths.Count; i++)
            {
                yield return new Measurement<long>(counts.QueueLengths[i], Tag.Application(source.App), Tag.Queue(source.Queues[i]));
            }
        }
    }

    public static IEnumerable<Measurement<long>> Scheduled() => Each(c => c.Scheduled);

    public static IEnumerable<Measurement<long>> InFlight() => Each(c => c.InFlight);

    public static IEnumerable<Measurement<long>> DeadLetters() => Each(c => c.DeadLetters);

    private static IEnumerable<Measurement<long>> Each(Func<StorageCounts, long> figure)
    {
        // Several consumers of one app report its app-wide figures once.
        var seen = new HashSet<ITaskStorage>(ReferenceEqualityComparer.Instance);
        foreach (var (source, counts) in Current())
        {
            if (seen.Add(source.App.Storage)) yield return new Measurement<long>(figure(counts), Tag.Application(source.App));
        }
    }

    private static IEnumerable<(Source, StorageCounts)> Current()
    {
        var now = Volatile.Read(ref sources);
        foreach (var source in now)
        {
            if (source.Read() is { } counts) yield return (source, counts);
        }
    }

    private static class Tag
    {
        public static KeyValuePair<string, object?> Application(TaskApp app) => new("taskqueue.app", app.Name);

        public static KeyValuePair<string, object?> Queue(string queue) => new("messaging.destination.name", queue);
    }

    private sealed class Source(TaskApp app, string[] queues) : IDisposable
    {
        private StorageCounts? last;
        private long readAt;
        private bool everRead;
        private int reading;

        public TaskApp App { get; } = app;

        public string[] Queues { get; } = queues;

        /// <summary>The last figures (null before the first read ends); starts a read when they are stale.</summary>
        public StorageCounts? Read()
        {
            bool stale = !Volatile.Read(ref everRead)
                || Environment.TickCount64 - Volatile.Read(ref readAt) >= (long)TaskQueueInstrumentation.GaugeRefreshInterval.TotalMilliseconds;
            if (stale && Interlocked.Exchange(ref reading, 1) == 0)
            {
                _ = RefreshAsync();
            }
            return Volatile.Read(ref last);
        }

        private async Task RefreshAsync()
        {
            try
            {
                var counts = await App.Storage.CountAsync(Queues).ConfigureAwait(false);
                Volatile.Write(ref last, counts);
                Volatile.Write(ref readAt, Environment.TickCount64);
                Volatile.Write(ref everRead, true);
            }
            catch (Exception)
            {
                // Storage away: the gauges keep their last figures; the consumer's own loops report the outage.
                Volatile.Write(ref readAt, Environment.TickCount64);
                Volatile.Write(ref everRead, true);
            }
            finally
            {
                Volatile.Write(ref reading, 0);
            }
        }

        public void Dispose()
        {
            lock (Gate) sources = Array.FindAll(sources, s => !ReferenceEquals(s, this));
        }
    }
}
