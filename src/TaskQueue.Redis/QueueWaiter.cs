using System.Globalization;
using StackExchange.Redis;

namespace TaskQueue.Redis;

/// <summary>
/// Wakes takers that wait for a message, by blocking on Redis rather than polling it. One loop per
/// storage runs, while anyone waits, <c>BLMOVE q q LEFT LEFT &lt;timeout&gt;</c>: moving the head of a
/// list onto itself changes nothing, but the command blocks until the list has an entry. Each
/// return wakes one taker waiting on that queue, which then runs the take script.
/// </summary>
/// <remarks>
/// A blocking command holds its connection until it returns, so it must not run on the shared
/// multiplexer (every other command of the process would queue behind it): the loop has a
/// connection of its own, opened on first use. Redis blocks on one list at a time, so with several
/// queues the loop rotates among them with short timeouts, and looks at the others after each
/// slice: a message on the queue being blocked on wakes a taker at once, one on another queue
/// within a slice (50 to 150 ms at Redis' default hz). A taker that registers after finding
/// its queues empty cannot miss a message: if one arrived in between, the next BLMOVE returns at once.
/// </remarks>
internal sealed class QueueWaiter : IAsyncDisposable
{
    private static readonly TimeSpan OneQueueSlice = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RotationSlice = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly ConfigurationOptions configuration;
    private readonly Lock gate = new();
    private readonly List<Waiter> waiters = [];
    private readonly List<RedisKey> watched = [];
    private readonly CancellationTokenSource disposing = new();
    private Task loop = Task.CompletedTask;
    private bool running;
    private bool disposed;
    private Task<ConnectionMultiplexer>? connecting;
    private int rotation;

    /// <summary>Creates a waiter that connects with <paramref name="configuration"/> (a copy is kept).</summary>
    public QueueWaiter(ConfigurationOptions configuration)
    {
        this.configuration = configuration.Clone();
        this.configuration.ClientName = (configuration.ClientName ?? "taskqueue") + "-wait";
        this.configuration.AbortOnConnectFail = false;
        this.configuration.BacklogPolicy = BacklogPolicy.FailFast;
        int atLeast = (int)(OneQueueSlice + TimeSpan.FromSeconds(5)).TotalMilliseconds;
        if (this.configuration.AsyncTimeout < atLeast) this.configuration.AsyncTimeout = atLeast;
    }

    /// <summary>A taker waiting on some queues.</summary>
    public sealed class Waiter(RedisKey[] queues)
    {
        /// <summary>The queue keys it waits on.</summary>
        public RedisKey[] Queues { get; } = queues;

        /// <summary>Completes when one of the queues may have a message.</summary>
        public TaskCompletionSource Woken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Opens the waiting connection, once; later calls return the same task. A take starts this
    /// before it looks at the queues, so that the first wait does not pay for the connection.
    /// </summary>
    public Task<ConnectionMultiplexer> ConnectAsync()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return connecting ??= ConnectionMultiplexer.ConnectAsync(configuration);
        }
    }

    /// <summary>Registers a taker; unregister it when it stops waiting, woken or not.</summary>
    public Waiter Register(RedisKey[] queues)
    {
        var waiter = new Waiter(queues);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            waiters.Add(waiter);
            if (!running)
            {
                running = true;
                loop = Task.Run(RunAsync);
            }
        }
        return waiter;
    }

    /// <summary>How many takers are waiting now.</summary>
    public int Count
    {
        get
        {
            lock (gate) return waiters.Count;
        }
    }

    /// <summary>Removes a taker.</summary>
    public void Unregister(Waiter waiter)
    {
        lock (gate) waiters.Remove(waiter);
    }

    /// <summary>Stops the loop and closes its connection; takers still waiting fail.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            foreach (var waiter in waiters) waiter.Woken.TrySetException(new ObjectDisposedException(nameof(RedisStorage)));
            waiters.Clear();
        }
        await disposing.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        if (connecting is not null)
        {
            try
            {
                await (await connecting.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // It never connected: nothing to close.
            }
        }
        disposing.Dispose();
    }

    private async Task RunAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            RedisKey queue;
            TimeSpan slice;
            Task<ConnectionMultiplexer> opening;
            RedisKey[] others;
            lock (gate)
            {
                watched.Clear();
                foreach (var waiter in waiters)
                {
                    foreach (var key in waiter.Queues)
                    {
                        if (!watched.Contains(key)) watched.Add(key);
                    }
                }
                if (watched.Count == 0 || disposed)
                {
                    running = false;
                    return;
                }
                queue = watched[(int)((uint)rotation++ % (uint)watched.Count)];
                opening = connecting ??= ConnectionMultiplexer.ConnectAsync(configuration);
                slice = watched.Count == 1 ? OneQueueSlice : RotationSlice;
                others = watched.Count == 1 ? [] : [.. watched.Where(k => k != queue)];
            }
            try
            {
                var connection = await opening.WaitAsync(disposing.Token).ConfigureAwait(false);
                var timeout = slice.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
                var db = connection.GetDatabase();
                var head = await db.ExecuteAsync("BLMOVE", queue, queue, "LEFT", "LEFT", timeout)
                    .WaitAsync(disposing.Token).ConfigureAwait(false);
                if (!head.IsNull) WakeOne(queue);
                else if (others.Length > 0) await WakeForOthersAsync(db, others).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(100);
            }
            catch (OperationCanceledException) when (disposing.IsCancellationRequested)
            {
                lock (gate) running = false;
                return;
            }
            catch (Exception)
            {
                lock (gate)
                {
                    if (connecting is { IsFaulted: true } or { IsCanceled: true }) connecting = null;
                }
                // Redis is away: takers find out from their own take calls, and whoever still waits
                // is woken by their deadline. Try again after a pause.
                try
                {
                    await Task.Delay(backoff, disposing.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    lock (gate) running = false;
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    // Redis notices an expired blocking timeout at its next cron tick, every 1/hz seconds (100 ms
    // by default), so a 50 ms slice lasts 50 to 150 ms, and shorter ones gain little. To bound the
    // wait for the queues not being blocked on to one slice, whatever their number, each slice that
    // times out ends with one pipelined look at the other queues.
    private async Task WakeForOthersAsync(IDatabase db, RedisKey[] others)
    {
        var batch = db.CreateBatch();
        var exists = new Task<bool>[others.Length];
        for (int i = 0; i < others.Length; i++) exists[i] = batch.KeyExistsAsync(others[i]);
        batch.Execute();
        await Task.WhenAll(exists).WaitAsync(disposing.Token).ConfigureAwait(false);
        for (int i = 0; i < others.Length; i++)
        {
            if (await exists[i].ConfigureAwait(false)) WakeOne(others[i]);
        }
    }

    private void WakeOne(RedisKey queue)
    {
        lock (gate)
        {
            for (int i = 0; i < waiters.Count; i++)
            {
                if (Array.IndexOf(waiters[i].Queues, queue) < 0) continue;
                waiters[i].Woken.TrySetResult();
                waiters.RemoveAt(i);
                return;
            }
        }
    }
}
