using System.Diagnostics;
using TaskQueue.Diagnostics;
using TaskQueue.Execution;
using TaskQueue.Flows;
using TaskQueue.Messages;

namespace TaskQueue;

public sealed partial class TaskApp
{
    /// <summary>
    /// Sends a pipeline: only its first step goes to storage now; its envelope carries the rest, each step nested in
    /// the one before, and a worker sends each next step when the one before it succeeded.
    /// </summary>
    /// <returns>The id of each step's run.</returns>
    internal async ValueTask<IReadOnlyList<string>> SendPipelineAsync(IReadOnlyList<PipelineStage> stages, ChordMembership? chord, TimeSpan? delay,
        DateTimeOffset? eta, CancellationToken cancellationToken)
    {
        var first = stages[0].Call;
        if (first.TakesInput) throw new ArgumentException($"the first call of a pipeline ({first.Task.Name}) must have all its arguments", nameof(stages));
        DateTimeOffset? due = eta;
        if (delay is { } d) due = (Eager ? TimeProvider.GetUtcNow() : await StorageTimeAsync(cancellationToken).ConfigureAwait(false)) + d;
        using var sending = TaskTelemetry.StartSend(first.Task, due is null ? "enqueue" : "schedule");
        var ids = new string[stages.Count];
        TaskMessage? message = null;
        FlowStep? next = null;
        for (int k = stages.Count - 1; k >= 0; k--)
        {
            var stage = stages[k];
            var onError = stage.OnError is { } handler ? StepOf(handler, NewMessage(handler.Task, handler.Arguments, handler.Options, null, sending)) : null;
            var flow = new TaskFlow(next, onError, k == stages.Count - 1 ? chord : null);
            message = NewMessage(stage.Call.Task, stage.Call.Arguments, stage.Call.Options, k == 0 ? due : null, sending);
            if (!flow.IsEmpty) message = message with { Flow = flow.Encode() };
            ids[k] = message.Id;
            if (k > 0) next = StepOf(stage.Call, message);
        }
        TaskTelemetry.Sending(sending, message!);
        // A deduplicated first step that finds its key held sends nothing: its handle is the run that holds the key.
        ids[0] = await SendOneAsync(first, message!, cancellationToken).ConfigureAwait(false);
        return ids;
    }

    /// <summary>Sends a group's members, each in one round trip per queue and priority; with <paramref name="chord"/>, as members of that chord.</summary>
    internal async ValueTask<IReadOnlyList<string>> SendGroupAsync(IReadOnlyList<TaskCall> members, (string Id, FlowStep Callback, FlowStep? OnError)? chord,
        CancellationToken cancellationToken)
    {
        var ids = new string[members.Count];
        var batches = new Dictionary<(string Queue, int Priority), (TaskDescriptor Task, List<ReadOnlyMemory<byte>> Bodies, List<TaskMessage> Messages)>();
        using var sending = TaskTelemetry.StartSend(members[0].Task, "enqueue");
        for (int i = 0; i < members.Count; i++)
        {
            var call = members[i];
            var message = NewMessage(call.Task, call.Arguments, call.Options, null, sending);
            if (chord is { } c) message = message with { Flow = new TaskFlow(null, null, new ChordMembership(c.Id, i, members.Count, c.Callback, c.OnError)).Encode() };
            ids[i] = message.Id;
            if (Eager || message.DeduplicationKey is not null)
            {
                ids[i] = await SendOneAsync(call, message, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var key = (call.Task.Queue, call.Priority);
            if (!batches.TryGetValue(key, out var batch)) batches[key] = batch = (call.Task, [], []);
            // Every message is checked before any is sent: a group with one too large sends nothing.
            batch.Bodies.Add(Encode(call.Task, message));
            batch.Messages.Add(message);
        }
        foreach (var ((queue, priority), batch) in batches)
        {
            await CallStorageAsync("enqueue a group of task", batch.Task.Name, (queue, batch.Bodies, NewSend(), priority),
                static (storage, s, ct) => storage.EnqueueManyAsync(s.queue, s.Bodies, s.Item3, s.priority, ct), cancellationToken).ConfigureAwait(false);
            TaskTelemetry.Sent(batch.Task, batch.Bodies.Count);
            foreach (var m in batch.Messages) Events.Publish(TaskEventKind.Enqueued, m.Id, m.Name);
        }
        return ids;
    }

    /// <summary>Sends a chord's members; the callback's envelope travels in each, and the last member to finish sends it.</summary>
    internal async ValueTask<(IReadOnlyList<string> Members, string Callback)> SendChordAsync(IReadOnlyList<TaskCall> members, TaskCall callback,
        TaskCall? onError, CancellationToken cancellationToken)
    {
        var callbackMessage = NewMessage(callback.Task, callback.Arguments, callback.Options, null);
        var errorStep = onError is null ? null : StepOf(onError, NewMessage(onError.Task, onError.Arguments, onError.Options, null));
        var ids = await SendGroupAsync(members, (TaskId.New(), StepOf(callback, callbackMessage), errorStep), cancellationToken).ConfigureAwait(false);
        return (ids, callbackMessage.Id);
    }

    private static FlowStep StepOf(TaskCall call, TaskMessage message) => new(call.TakesInput, call.Task.Queue, call.Priority, MessageCodec.Encode(message));

    /// <summary>Sends one message of <paramref name="call"/>: runs it in eager mode, holds its deduplication key, enqueues or schedules it.</summary>
    /// <returns>The id of the run: the message's, or for a deduplicated send whose key is held, the run that holds it.</returns>
    private async ValueTask<string> SendOneAsync(TaskCall call, TaskMessage message, CancellationToken cancellationToken)
    {
        var task = call.Task;
        if (message.DeduplicationKey is not null)
        {
            return await SendDeduplicatedAsync(task, message, message.Eta, call.Priority, call.Options?.DeduplicationTtl, cancellationToken).ConfigureAwait(false);
        }
        var body = Encode(task, message);
        if (Eager)
        {
            await new TaskExecutor(this).RunEagerAsync(message, task, cancellationToken).ConfigureAwait(false);
            return message.Id;
        }
        if (message.Eta is { } eta)
        {
            await CallStorageAsync("schedule task", task.Name, (task.Queue, body, eta, NewSend(), call.Priority),
                static (storage, s, ct) => storage.ScheduleAsync(s.Queue, s.body, s.eta, s.Item4, s.Priority, ct), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await CallStorageAsync("enqueue task", task.Name, (task.Queue, body, NewSend(), call.Priority),
                static (storage, s, ct) => storage.EnqueueAsync(s.Queue, s.body, s.Item3, s.Priority, ct), cancellationToken).ConfigureAwait(false);
        }
        TaskTelemetry.Sent(task, 1);
        Events.Publish(message.Eta is null ? TaskEventKind.Enqueued : TaskEventKind.Scheduled, message.Id, message.Name);
        return message.Id;
    }
}
