using StackExchange.Redis;
using TaskQueue.Storage;

namespace TaskQueue.Redis;

/// <content>Taking, settling, heartbeats and reaping: the path every task travels.</content>
public sealed partial class RedisStorage
{
    /// <inheritdoc />
    /// <remarks>
    /// One script call on the first queue, sent with a read of the revocations' version and an
    /// <c>EXISTS</c> of each other queue's ready list (one round trip); when the first has nothing,
    /// one script call on each following queue that had messages, in order. When all are empty,
    /// waits on Redis for a message on any of them. A queue found empty by <c>EXISTS</c> that gets a
    /// message a moment later is not missed: the wait then returns at once.
    /// </remarks>
    public async ValueTask<TakenBatch> TakeAsync(IReadOnlyList<string> queues, string consumerId, int max, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        long deadline = Environment.TickCount64 + RedisRecords.CeilingMs(wait);
        if (queues.Count == 0)
        {
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            return TakenBatch.Empty;
        }

        var order = TakeOrder(queues);
        foreach (var q in order) await RegisterAsync(q).ConfigureAwait(false);
        RedisKey[]? waitKeys = null;
        if (wait > TimeSpan.Zero)
        {
            waitKeys = new RedisKey[order.Length];
            for (int i = 0; i < order.Length; i++) waitKeys[i] = order[i].Ready;
            _ = waiter.ConnectAsync(waitKeys);
        }
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var version = db.HashGetAsync(keys.Revocations, RedisValue.EmptyString);
            Task<bool>[]? exists = null;
            if (order.Length > 1)
            {
                exists = new Task<bool>[order.Length];
                for (int i = 1; i < order.Length; i++) exists[i] = db.KeyExistsAsync(order[i].Ready);
            }
            for (int i = 0; i < order.Length; i++)
            {
                var q = order[i];
                // Only queues with something ready get a take script (an empty one costs Redis a script run).
                if (i > 0 && !await ExistsAsync(exists![i]).ConfigureAwait(false)) continue;
                var token = q.TakeToken(Guid.NewGuid().ToString("N"));
                var reply = await TakeOnceAsync(q, token, consumerId, max, cancellationToken).ConfigureAwait(false);
                if ((int)reply[0] == 0) continue;
                // The messages are taken: from here on a failure must not lose the batch (a take
                // retried with a new token would leave it in flight under this consumer), so the
                // version read is retried on its own if it failed.
                long revocations = await RevocationsVersionAsync(version, cancellationToken).ConfigureAwait(false);
                // The reply arrived: its memo is no longer needed. Dropping it now (pipelined, no
                // wait) keeps the keyspace free of a minute's worth of expiring memos.
                db.KeyDelete(token, CommandFlags.FireAndForget);
                for (int j = i + 1; exists is not null && j < exists.Length; j++) Observe(exists[j]);
                return ReadTaken(reply, q.Name, QueueOf(q.Name), revocations);
            }
            Observe(version);

            long left = deadline - Environment.TickCount64;
            if (left <= 0 || waitKeys is null) return TakenBatch.Empty;
            var waiting = waiter.Register(waitKeys);
            try
            {
                await waiting.Woken.Task.WaitAsync(TimeSpan.FromMilliseconds(left), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return TakenBatch.Empty;
            }
            finally
            {
                waiter.Unregister(waiting);
            }
        }
    }

    /// <summary>Whether a ready list exists; a failed check says yes, and the take script on it says for sure.</summary>
    private static async Task<bool> ExistsAsync(Task<bool> exists)
    {
        try
        {
            return await exists.ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            return true;
        }
    }

    /// <summary>Observes a read whose result is not needed, so that its failure is not left unobserved.</summary>
    private static void Observe(Task task)
        => _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>
    /// The revocations' version read beside a take, or read again, with the take's patience, while
    /// the connection fails: the take's messages are already in flight and must reach the consumer.
    /// </summary>
    private async Task<long> RevocationsVersionAsync(Task<RedisValue> version, CancellationToken cancellationToken)
    {
        long giveUp = Environment.TickCount64 + (long)UnknownTakeRetry.TotalMilliseconds;
        var pause = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                var value = await version.ConfigureAwait(false);
                return value.IsNull ? 0 : (long)value;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException && Environment.TickCount64 < giveUp)
            {
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
                version = db.HashGetAsync(keys.Revocations, RedisValue.EmptyString);
            }
        }
    }

    /// <summary>One take with a given token, without waiting (for tests of the retry of a take whose reply was lost).</summary>
    internal async Task<TakenBatch> TakeWithTokenAsync(IReadOnlyList<string> queues, string consumerId, int max, string token)
    {
        foreach (var q in TakeOrder(queues))
        {
            await RegisterAsync(q).ConfigureAwait(false);
            var reply = await TakeOnceAsync(q, q.TakeToken(token), consumerId, max, CancellationToken.None).ConfigureAwait(false);
            if ((int)reply[0] != 0) return ReadTaken(reply, q.Name, QueueOf(q.Name), 0);
        }
        return TakenBatch.Empty;
    }

    /// <summary>
    /// Runs the take script on one queue once, retrying with the same token while its outcome is
    /// unknown (the connection failed or timed out after the call may have run): the script then
    /// returns what the lost call took, so a take whose reply was lost does not strand its messages
    /// in flight under a consumer that never saw them.
    /// </summary>
    private async Task<RedisResult[]> TakeOnceAsync(QueueKeys q, RedisKey token, string consumerId, int max, CancellationToken cancellationToken)
    {
        RedisKey[] scriptKeys = [q.Processing(consumerId), q.Consumers, q.Sequence, token, q.DeadLetters, q.Ready, q.Priorities, q.Marked];
        RedisValue[] args = [max, consumerId, q.Name, q.ReadyPrefix, QueueOf(q.Name)];
        long giveUp = Environment.TickCount64 + (long)UnknownTakeRetry.TotalMilliseconds;
        var pause = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                return (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.Take, scriptKeys, args).ConfigureAwait(false))!;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException && Environment.TickCount64 < giveUp)
            {
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
            }
        }
    }

    /// <summary>How long a take whose outcome is unknown is retried with its token (the token is remembered for a minute).</summary>
    private static readonly TimeSpan UnknownTakeRetry = TimeSpan.FromSeconds(45);

    private static TakenBatch ReadTaken(RedisResult[] reply, string partition, string queue, long revocations)
    {
        long priority = (long)reply[1];
        long first = (long)reply[2];
        long takenAt = (long)reply[3];
        var messages = new List<TakenMessage>(reply.Length - 4);
        for (int i = 0; i < reply.Length - 4; i++)
        {
            // Only a retried take can find a record gone (a reaper handed it back meanwhile).
            if (reply[4 + i].IsNull) continue;
            var entry = (byte[])reply[4 + i]!;
            if (entry.Length < 2) continue; // the script drops or dead-letters such entries; never here
            var receipt = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{first + i}|{takenAt}|{priority}|{partition}");
            messages.Add(new TakenMessage(queue, RedisRecords.MessageOf(entry), receipt, entry[0]));
        }
        return new TakenBatch(messages, revocations);
    }

    /// <summary>The queue (partition) a receipt <c>&lt;seq&gt;|&lt;taken ms&gt;|&lt;priority&gt;|&lt;queue&gt;</c> names, or null when it is not one.</summary>
    internal static string? PartitionOfReceipt(string receipt)
    {
        int bars = 0;
        for (int i = 0; i < receipt.Length; i++)
        {
            if (receipt[i] == '|' && ++bars == 3) return i + 1 < receipt.Length ? receipt[(i + 1)..] : null;
        }
        return null;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Results first (a <c>SET</c> each, pipelined: a result has a slot of its own), then one settle
    /// script per queue the batch came from, pipelined, with the ends of recurring runs. A result is
    /// stored before its message is settled, so a settled message always has its result; a crash in
    /// between leaves the message in flight, to be handed back and run again.
    /// </remarks>
    public async ValueTask CompleteAsync(string consumerId, IReadOnlyList<Completion> completions, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        ArgumentNullException.ThrowIfNull(completions);
        if (completions.Count == 0) return;
        List<Task>? results = null;
        foreach (var c in completions)
        {
            if (c is null) throw new ArgumentException("A completion is null.", nameof(completions));
            if (c.Kind == CompletionKind.Result)
            {
                (results ??= []).Add(PutResultAsync(c.ResultId ?? throw new ArgumentException("A result completion has no result id.", nameof(completions)),
                    c.Result, c.ResultTtl, cancellationToken).AsTask());
            }
            else if (c.Kind is not (CompletionKind.Ack or CompletionKind.Retry or CompletionKind.DeadLetter or CompletionKind.Release))
            {
                throw new ArgumentOutOfRangeException(nameof(completions), c.Kind, "Unknown completion kind.");
            }
        }
        if (results is not null) await Task.WhenAll(results).ConfigureAwait(false);

        // Most batches come from one queue: group without a dictionary until a second one shows up.
        var groups = new List<(string Partition, List<Completion> Items)>(1);
        foreach (var c in completions)
        {
            string partition = PartitionOfReceipt(c.Message.Receipt) ?? c.Message.Queue;
            int g = groups.Count - 1;
            while (g >= 0 && groups[g].Partition != partition) g--;
            if (g < 0) groups.Add((partition, [c]));
            else groups[g].Items.Add(c);
        }
        var calls = new List<Task>(groups.Count + 1);
        foreach (var (partition, items) in groups) calls.Add(SettleAsync(consumerId, keys.Of(partition), items));
        foreach (var c in completions)
        {
            if (c.EndsRecurringRun is { } run) calls.Add(db.SortedSetRemoveAsync(keys.RecurringRuns(run.RecurringId), run.Run));
        }
        await Task.WhenAll(calls).ConfigureAwait(false);
    }

    private Task SettleAsync(string consumerId, QueueKeys q, List<Completion> items)
    {
        var args = new RedisValue[3 + 4 * items.Count];
        args[0] = consumerId;
        args[1] = q.ReadyPrefix;
        args[2] = QueueOf(q.Name);
        for (int i = 0; i < items.Count; i++)
        {
            var c = items[i];
            int at = 3 + 4 * i;
            args[at + 1] = c.Message.Receipt;
            args[at + 2] = RedisValue.EmptyString;
            args[at + 3] = RedisValue.EmptyString;
            switch (c.Kind)
            {
                case CompletionKind.Ack:
                case CompletionKind.Result:
                    args[at] = "A";
                    break;
                case CompletionKind.Retry:
                    args[at] = "T";
                    args[at + 2] = c.Replacement;
                    args[at + 3] = Math.Max(RedisRecords.CeilingMs(c.Delay), 0);
                    break;
                case CompletionKind.DeadLetter:
                    args[at] = "D";
                    args[at + 2] = c.Reason ?? "unknown";
                    args[at + 3] = c.Message.Body;
                    break;
                default:
                    args[at] = "L";
                    if (c.CountsDelivery) args[at + 2] = 1;
                    break;
            }
        }
        return db.ScriptEvaluateAsync(LuaScripts.Complete,
            [q.Processing(consumerId), q.Consumers, q.Schedule, q.DeadLetters, q.Sequence, q.Ready, q.Priorities, q.Marked], args);
    }

    /// <inheritdoc />
    public async ValueTask HeartbeatAsync(string consumerId, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        var expiry = TimeSpan.FromMilliseconds(Math.Max(RedisRecords.CeilingMs(ttl), 1));
        await db.StringSetAsync(keys.Heartbeat(consumerId), 1, expiry).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask RemoveHeartbeatAsync(string consumerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        await db.KeyDeleteAsync(keys.Heartbeat(consumerId)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Reads the registry of queues and the consumers registered on each, checks their heartbeats
    /// (the application's slot), then one script call per queue that holds records of a consumer
    /// whose heartbeat is gone. Also relays what the outbox still holds. A delivery count saturates
    /// at 255, so a limit above 255 acts as 255.
    /// </remarks>
    public async ValueTask<ReapResult> ReapAsync(int maxRedeliveries, CancellationToken cancellationToken = default)
    {
        await DropEndedRevocationsAsync().ConfigureAwait(false);
        await RelayOutboxAsync().ConfigureAwait(false);
        var queues = await RegisteredQueuesAsync().ConfigureAwait(false);
        var members = new Task<RedisValue[]>[queues.Length];
        for (int i = 0; i < queues.Length; i++) members[i] = db.SetMembersAsync(queues[i].Consumers);
        var consumers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            foreach (var id in await m.ConfigureAwait(false)) consumers.Add((string)id!);
        }
        if (consumers.Count == 0) return new ReapResult(0, 0);
        var ids = consumers.ToArray();
        var alive = new Task<bool>[ids.Length];
        for (int i = 0; i < ids.Length; i++) alive[i] = db.KeyExistsAsync(keys.Heartbeat(ids[i]));
        var gone = new List<RedisValue>();
        for (int i = 0; i < ids.Length; i++)
        {
            if (!await alive[i].ConfigureAwait(false)) gone.Add(ids[i]);
        }
        if (gone.Count == 0) return new ReapResult(0, 0);

        int max = Math.Clamp(maxRedeliveries, 0, RedisRecords.MaxDeliveries);
        var calls = new List<Task<RedisResult>>();
        for (int i = 0; i < queues.Length; i++)
        {
            var q = queues[i];
            var here = new List<RedisValue>();
            foreach (var id in await members[i].ConfigureAwait(false))
            {
                if (gone.Contains(id)) here.Add(id);
            }
            if (here.Count == 0) continue;
            RedisValue[] args = [q.ProcessingPrefix, q.ReadyPrefix, max, QueueOf(q.Name), .. here];
            calls.Add(db.ScriptEvaluateAsync(LuaScripts.Reap, [q.Consumers, q.DeadLetters, q.Sequence, q.Ready, q.Priorities, q.Marked], args));
        }
        int requeued = 0, dead = 0;
        foreach (var call in calls)
        {
            var reply = (RedisResult[])(await call.ConfigureAwait(false))!;
            requeued += (int)reply[0];
            dead += (int)reply[1];
        }
        return new ReapResult(requeued, dead);
    }
}
