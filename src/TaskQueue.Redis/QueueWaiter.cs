using System.Globalization;
using StackExchange.Redis;

namespace TaskQueue.Redis;

/// <summary>
/// Wakes takers that wait for a message, by blocking on Redis rather than polling it. For every
/// queue someone waits on, a loop runs <c>BLMOVE q q LEFT LEFT &lt;timeout&gt;</c>: moving the head of
/// a list onto itself changes nothing, but the command blocks until the list has an entry. Each
/// return wakes one taker waiting on that queue, which then runs the take script.
/// </summary>
/// <remarks>
/// A blocking command holds its connection until it returns, so it must not run on the shared
/// multiplexer (every other command of the process would queue behind it), and Redis blocks a
/// connection on one list at a time: each watched queue gets a connection of its own, opened on
/// first use and kept for the next wait. A message on any queue a taker waits on wakes it at once,
/// however many queues it waits on. A taker that registers after finding its queues empty cannot
/// miss a message: if one arrived in between, the next BLMOVE on that queue returns at once.
/// </remarks>
internal sealed class QueueWaiter : IAsyncDisposable
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly ConfigurationOptions configuration;
    private readonly Lock gate = new();
    private readonly List<Waiter> waiters = [];
    private readonly Dictionary<RedisKey, Watch> watches = [];
    private readonly CancellationTokenSource disposing = new();
    private bool disposed;

    /// <summary>Creates a waiter that connects with <paramref name="configuration"/> (a copy is kept).</summary>
    public QueueWaiter(ConfigurationOptions configuration)
    {
        this.configuration = configuration.Clone();
        this.configuration.ClientName = (configuration.ClientName ?? "taskqueue") + "-wait";
        this.configuration.AbortOnConnectFail = false;
        this.configuration.BacklogPolicy = BacklogPolicy.FailFast;
        int atLeast = (int)(Slice + TimeSpan.FromSeconds(5)).TotalMilliseconds;
        if (this.configuration.AsyncTimeout < atLeast) this.configuration.AsyncTimeout = atLeast;
    }

    /// <summary>One watched queue: its blocking connection and its loop.</summary>
    private sealed class Watch(RedisKey queue)
    {
        public RedisKey Queue { get; } = queue;
        public Task<ConnectionMultiplexer>? Connecting;
        public Task Loop = Task.CompletedTask;
        public bool Running;
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
    /// Opens the waiting connections of <paramref name="queues"/>, once each. A take starts this
    /// before it looks at the queues, so that the first wait does not pay for the connections.
    /// </summary>
    /// <remarks>Every waiting take calls it: once the connections are open it allocates nothing.</remarks>
    public Task ConnectAsync(RedisKey[] queues)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            List<Task>? opening = null;
            foreach (var queue in queues)
            {
                var connection = WatchOf(queue).Connecting ??= ConnectionMultiplexer.ConnectAsync(configuration);
                if (!connection.IsCompletedSuccessfully) (opening ??= []).Add(connection);
            }
            return opening is null ? Task.CompletedTask : Task.WhenAll(opening);
        }
    }

    private Watch WatchOf(RedisKey queue)
    {
        if (!watches.TryGetValue(queue, out var watch)) watches[queue] = watch = new Watch(queue);
        return watch;
    }

    /// <summary>Registers a taker; unregister it when it stops waiting, woken or not.</summary>
    public Waiter Register(RedisKey[] queues)
    {
        var waiter = new Waiter(queues);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            waiters.Add(waiter);
            foreach (var queue in queues)
            {
                var watch = WatchOf(queue);
                if (watch.Running) continue;
                watch.Running = true;
                watch.Loop = Task.Run(() => RunAsync(watch));
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

    /// <summary>Stops the loops and closes their connections; takers still waiting fail.</summary>
    public async ValueTask DisposeAsync()
    {
        Watch[] all;
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            foreach (var waiter in waiters) waiter.Woken.TrySetException(new ObjectDisposedException(nameof(RedisStorage)));
            waiters.Clear();
            all = [.. watches.Values];
        }
        await disposing.CancelAsync().ConfigureAwait(false);
        foreach (var watch in all)
        {
            await watch.Loop.ConfigureAwait(false);
            if (watch.Connecting is null) continue;
            try
            {
                await (await watch.Connecting.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // It never connected: nothing to close.
            }
        }
        disposing.Dispose();
    }

    private bool Watched(RedisKey queue)
    {
        foreach (var waiter in waiters)
        {
            if (Array.IndexOf(waiter.Queues, queue) >= 0) return true;
        }
        return false;
    }

    private async Task RunAsync(Watch watch)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var timeout = Slice.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        while (true)
        {
            Task<ConnectionMultiplexer> opening;
            lock (gate)
            {
                if (disposed || !Watched(watch.Queue))
                {
                    watch.Running = false;
                    return;
                }
                opening = watch.Connecting ??= ConnectionMultiplexer.ConnectAsync(configuration);
            }
            try
            {
                var connection = await opening.WaitAsync(disposing.Token).ConfigureAwait(false);
                var head = await connection.GetDatabase().ExecuteAsync("BLMOVE", watch.Queue, watch.Queue, "LEFT", "LEFT", timeout)
                    .WaitAsync(disposing.Token).ConfigureAwait(false);
                if (!head.IsNull) WakeOne(watch.Queue);
                backoff = TimeSpan.FromMilliseconds(100);
            }
            catch (OperationCanceledException) when (disposing.IsCancellationRequested)
            {
                lock (gate) watch.Running = false;
                return;
            }
            catch (Exception)
            {
                lock (gate)
                {
                    if (watch.Connecting is { IsFaulted: true } or { IsCanceled: true }) watch.Connecting = null;
                }
                // Redis is away: takers find out from their own take calls, and whoever still waits
                // is woken by their deadline. Try again after a pause.
                try
                {
                    await Task.Delay(backoff, disposing.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    lock (gate) watch.Running = false;
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
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
