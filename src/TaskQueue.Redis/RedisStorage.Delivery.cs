using StackExchange.Redis;
using TaskQueue.Storage;

namespace TaskQueue.Redis;

/// <content>Taking, settling, heartbeats and reaping: the path every task travels.</content>
public sealed partial class RedisStorage
{
    /// <inheritdoc />
    /// <remarks>One script call when a queue has messages; when all are empty, waits on Redis for one.</remarks>
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

        var (scriptKeys, args, queueKeys) = TakeArguments(queues, consumerId, max);

        if (wait > TimeSpan.Zero) _ = waiter.ConnectAsync(queueKeys);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            scriptKeys[4] = keys.TakeToken(Guid.NewGuid().ToString("N"));
            var reply = await TakeOnceAsync(scriptKeys, args, cancellationToken).ConfigureAwait(false);
            int queueIndex = (int)reply[0];
            if (queueIndex > 0)
            {
                // The reply arrived: its memo is no longer needed. Dropping it now (pipelined, no
                // wait) keeps the keyspace free of a minute's worth of expiring memos.
                db.KeyDelete(scriptKeys[4], CommandFlags.FireAndForget);
                return ReadTaken(reply, queues[queueIndex - 1]);
            }

            long left = deadline - Environment.TickCount64;
            if (left <= 0) return TakenBatch.Empty;
            var waiting = waiter.Register(queueKeys);
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

    private (RedisKey[] Keys, RedisValue[] Args, RedisKey[] QueueKeys) TakeArguments(IReadOnlyList<string> queues, string consumerId, int max)
    {
        var scriptKeys = new RedisKey[6 + queues.Count];
        var args = new RedisValue[2 + queues.Count];
        scriptKeys[0] = keys.Processing(consumerId);
        scriptKeys[1] = keys.Consumers;
        scriptKeys[2] = keys.Revocations;
        scriptKeys[3] = keys.Sequence;
        scriptKeys[5] = keys.DeadLetters;
        args[0] = max;
        args[1] = consumerId;
        var queueKeys = new RedisKey[queues.Count];
        for (int i = 0; i < queues.Count; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(queues[i], nameof(queues));
            scriptKeys[6 + i] = queueKeys[i] = keys.Queue(queues[i]);
            args[2 + i] = queues[i];
        }
        return (scriptKeys, args, queueKeys);
    }

    /// <summary>One take with a given token, without waiting (for tests of the retry of a take whose reply was lost).</summary>
    internal async Task<TakenBatch> TakeWithTokenAsync(IReadOnlyList<string> queues, string consumerId, int max, string token)
    {
        var (scriptKeys, args, _) = TakeArguments(queues, consumerId, max);
        scriptKeys[4] = keys.TakeToken(token);
        var reply = await TakeOnceAsync(scriptKeys, args, CancellationToken.None).ConfigureAwait(false);
        int queueIndex = (int)reply[0];
        return queueIndex > 0 ? ReadTaken(reply, queues[queueIndex - 1]) : TakenBatch.Empty;
    }

    /// <summary>
    /// Runs the take script once, retrying with the same token while its outcome is unknown (the
    /// connection failed or timed out after the call may have run): the script then returns what
    /// the lost call took, so a take whose reply was lost does not strand its messages in flight
    /// under a consumer that never saw them.
    /// </summary>
    private async Task<RedisResult[]> TakeOnceAsync(RedisKey[] scriptKeys, RedisValue[] args, CancellationToken cancellationToken)
    {
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

    private static TakenBatch ReadTaken(RedisResult[] reply, string queue)
    {
        long revocations = (long)reply[1];
        long first = (long)reply[2];
        long takenAt = (long)reply[3];
        var messages = new List<TakenMessage>(reply.Length - 4);
        for (int i = 0; i < reply.Length - 4; i++)
        {
            // Only a retried take can find a record gone (a reaper handed it back meanwhile).
            if (reply[4 + i].IsNull) continue;
            var entry = (byte[])reply[4 + i]!;
            if (entry.Length < 2) continue; // the script sends such entries to dead letters; never here
            var receipt = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{first + i}|{takenAt}|{queue}");
            messages.Add(new TakenMessage(queue, RedisRecords.MessageOf(entry), receipt, entry[0]));
        }
        return new TakenBatch(messages, revocations);
    }

    /// <inheritdoc />
    /// <remarks>One script call for the whole batch.</remarks>
    public async ValueTask CompleteAsync(string consumerId, IReadOnlyList<Completion> completions, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        ArgumentNullException.ThrowIfNull(completions);
        if (completions.Count == 0) return;
        var processing = keys.Processing(consumerId);
        int ends = 0;
        foreach (var c in completions) if (c?.EndsRecurringRun is not null) ends++;
        var scriptKeys = new RedisKey[5 + completions.Count + ends];
        var args = new RedisValue[2 + 5 * completions.Count + ends];
        scriptKeys[0] = processing;
        scriptKeys[1] = keys.Consumers;
        scriptKeys[2] = keys.Schedule;
        scriptKeys[3] = keys.DeadLetters;
        scriptKeys[4] = keys.Sequence;
        args[0] = consumerId;
        args[1] = completions.Count;
        int end = 0;
        for (int i = 0; i < completions.Count; i++)
        {
            var c = completions[i] ?? throw new ArgumentException("A completion is null.", nameof(completions));
            var m = c.Message;
            int at = 2 + 5 * i;
            if (c.EndsRecurringRun is { } run)
            {
                scriptKeys[5 + completions.Count + end] = keys.RecurringRuns(run.RecurringId);
                args[2 + 5 * completions.Count + end] = run.Run;
                end++;
            }
            args[at + 1] = m.Receipt;
            args[at + 2] = m.Queue;
            args[at + 3] = RedisValue.EmptyString;
            args[at + 4] = RedisValue.EmptyString;
            scriptKeys[5 + i] = processing;
            switch (c.Kind)
            {
                case CompletionKind.Ack:
                    args[at] = "A";
                    break;
                case CompletionKind.Result:
                    args[at] = "R";
                    scriptKeys[5 + i] = keys.Result(c.ResultId ?? throw new ArgumentException("A result completion has no result id.", nameof(completions)));
                    args[at + 3] = c.Result;
                    if (c.ResultTtl is { } ttl) args[at + 4] = Math.Max(RedisRecords.CeilingMs(ttl), 0);
                    break;
                case CompletionKind.Retry:
                    args[at] = "T";
                    scriptKeys[5 + i] = keys.Queue(m.Queue);
                    args[at + 3] = c.Replacement;
                    args[at + 4] = Math.Max(RedisRecords.CeilingMs(c.Delay), 0);
                    break;
                case CompletionKind.DeadLetter:
                    args[at] = "D";
                    args[at + 3] = c.Reason ?? "unknown";
                    args[at + 4] = m.Body;
                    break;
                case CompletionKind.Release:
                    args[at] = "L";
                    scriptKeys[5 + i] = keys.Queue(m.Queue);
                    if (c.CountsDelivery) args[at + 3] = 1;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(completions), c.Kind, "Unknown completion kind.");
            }
        }
        await db.ScriptEvaluateAsync(LuaScripts.Complete, scriptKeys, args).ConfigureAwait(false);
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
    /// <remarks>One script call. A delivery count saturates at 255, so a limit above 255 acts as 255.</remarks>
    public async ValueTask<ReapResult> ReapAsync(int maxRedeliveries, CancellationToken cancellationToken = default)
    {
        await DropEndedRevocationsAsync().ConfigureAwait(false);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.Reap,
            [keys.Consumers, keys.DeadLetters, keys.Sequence],
            [keys.ProcessingPrefix, keys.HeartbeatPrefix, keys.QueuePrefix, Math.Clamp(maxRedeliveries, 0, RedisRecords.MaxDeliveries)])
            .ConfigureAwait(false))!;
        return new ReapResult((int)reply[0], (int)reply[1]);
    }
}
