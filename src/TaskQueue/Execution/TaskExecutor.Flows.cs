using Microsoft.Extensions.Logging;
using TaskQueue.Flows;
using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue.Execution;

/// <content>What follows a run: a pipeline's next step, an error step, a chord's bookkeeping.</content>
internal sealed partial class TaskExecutor
{
    /// <summary>
    /// How long a sent step's key is kept: a run of the step before it that is run again within this time (its worker
    /// died after sending) does not send the step a second time.
    /// </summary>
    internal static readonly TimeSpan FlowKeyTtl = TimeSpan.FromDays(1);

    /// <summary>How long a chord's gathered results are kept after its last member's call.</summary>
    internal static readonly TimeSpan ChordTtl = TimeSpan.FromDays(7);

    /// <summary>
    /// Sends what follows a run that ended (<paramref name="outcome"/>) before the run is settled: so a worker that dies
    /// between the two has the run handed back and run again, and the sends, keyed by the next run's id, happen once.
    /// </summary>
    /// <returns><paramref name="completion"/>, or a hand-back when storage could not take the sends.</returns>
    private async ValueTask<Completion> FollowAsync(Completion completion, TakenMessage taken, TaskMessage message, Outcome outcome, CancellationToken stopping)
    {
        if (outcome.Kind != OutcomeKind.Succeeded && !EndedInFailure(message, outcome)) return completion;
        try
        {
            await FollowAsync(message, outcome, stopping).ConfigureAwait(false);
            return completion;
        }
        catch (TaskPayloadException e)
        {
            // The run happened; only what follows it is unreadable. It is reported, and the run settles as it ended.
            LogFlowUnreadable(logger, message.Name, message.Id, e.Message);
            return completion;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            LogFlowNotSent(logger, message.Name, message.Id, e);
            return Completion.Interrupted(taken);
        }
    }

    /// <summary>Whether the run failed for good: no retry follows its failure or its cancellation.</summary>
    private static bool EndedInFailure(TaskMessage message, Outcome outcome) => outcome.Kind switch
    {
        OutcomeKind.Failed => message.Retries == 0,
        OutcomeKind.Cancelled => outcome.Error is not CancelExecutionException { Retry: true } || message.Retries == 0,
        _ => false,
    };

    private async ValueTask FollowAsync(TaskMessage message, Outcome outcome, CancellationToken cancellationToken)
    {
        var flow = TaskFlow.Decode(message.Flow);
        if (outcome.Kind == OutcomeKind.Succeeded)
        {
            var value = outcome.Result ?? NilValue;
            if (flow.Next is { } next) await SendStepAsync(next, value, cancellationToken).ConfigureAwait(false);
            if (flow.Chord is { } chord) await AddToChordAsync(chord, ResultCodec.EncodeValue(value), cancellationToken).ConfigureAwait(false);
            return;
        }
        var error = ErrorOf(outcome.Error!, message.Name);
        if (flow.OnError is { } onError) await SendStepAsync(onError, TaskFlow.EncodeError(error), cancellationToken).ConfigureAwait(false);
        if (flow.Next is { } skipped) await StoreSkippedAsync(skipped, error, message, cancellationToken).ConfigureAwait(false);
        if (flow.Chord is { } member) await AddToChordAsync(member, ResultCodec.EncodeError(error), cancellationToken).ConfigureAwait(false);
    }

    private static readonly byte[] NilValue = [0xc0];

    /// <summary>Sends <paramref name="step"/>, with <paramref name="input"/> as its first argument when it takes one; once per step id.</summary>
    private async ValueTask SendStepAsync(FlowStep step, ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        var next = MessageCodec.Decode(step.Envelope);
        if (step.TakesInput) next = next with { Arguments = TaskFlow.WithFirstArgument(next.Arguments, input.Span) };
        var (traceParent, traceState) = Diagnostics.TaskTelemetry.ContextFor(System.Diagnostics.Activity.Current);
        next = next with { CreatedAt = app.TimeProvider.GetUtcNow(), TraceParent = traceParent ?? next.TraceParent, TraceState = traceState ?? next.TraceState };
        if (app.Eager)
        {
            if (app.Tasks.TryGet(next.Name, out var task)) await RunEagerAsync(next, task, cancellationToken).ConfigureAwait(false);
            else throw new UnknownTaskException(next.Name);
            return;
        }
        var body = app.Seal(MessageCodec.Encode(next));
        var sent = await app.CallStorageAsync("send the next step of", next.Name, (step, body, Key: "step:" + next.Id, next.Id, next.Eta),
            static (storage, s, ct) => storage.EnqueueUniqueAsync(s.step.Queue, s.body, s.Key, s.Id, FlowKeyTtl, s.Eta, s.step.Priority, ct), cancellationToken).ConfigureAwait(false);
        if (sent.Stored) app.Events.Publish(TaskEventKind.Enqueued, next.Id, next.Name);
    }

    /// <summary>Records a chord member's result; the call that completes the chord sends its callback (or its error step).</summary>
    private async ValueTask AddToChordAsync(ChordMembership chord, byte[] stored, CancellationToken cancellationToken)
    {
        var all = await app.CallStorageAsync("record a chord member's result", chord.ChordId, (chord, stored),
            static (storage, s, ct) => storage.AddChordResultAsync(s.chord.ChordId, s.chord.Index, s.chord.Count, s.stored, ChordTtl, ct), cancellationToken).ConfigureAwait(false);
        if (all is null) return;
        var values = new ReadOnlyMemory<byte>[all.Count];
        TaskError? failed = null;
        for (int i = 0; i < all.Count; i++)
        {
            var result = ResultCodec.Decode(all[i]);
            if (result.IsError) failed ??= result.Error;
            else values[i] = result.Value;
        }
        if (failed is null)
        {
            await SendStepAsync(chord.Callback, TaskFlow.ArrayOf(values), cancellationToken).ConfigureAwait(false);
            return;
        }
        if (chord.OnError is { } onError) await SendStepAsync(onError, TaskFlow.EncodeError(failed), cancellationToken).ConfigureAwait(false);
        await StoreSkippedAsync(chord.Callback, failed, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores, for <paramref name="first"/> and every step after it, an error saying it did not run because of
    /// <paramref name="cause"/>, so that a reader waiting on any of them learns it at once.
    /// </summary>
    private async ValueTask StoreSkippedAsync(FlowStep first, TaskError cause, TaskMessage? failedStep, CancellationToken cancellationToken)
    {
        if (!app.StoreResults || !app.StoreErrors) return;
        string because = failedStep is null
            ? $"not run: a member of its chord ({cause.TaskName}) failed with {cause.Type}: {cause.Message}"
            : $"not run: the step before it, {failedStep.Name} ({failedStep.Id}), failed with {cause.Type}: {cause.Message}";
        FlowStep? step = first;
        for (int depth = 0; step is not null && depth <= TaskFlow.MaxSteps; depth++)
        {
            var skipped = MessageCodec.Decode(step.Envelope);
            var error = ResultCodec.EncodeError(new TaskError(typeof(TaskFailedException).FullName!, Texts.Cut(because), null, skipped.Name));
            await app.CallStorageAsync("store a skipped step's error", skipped.Name, (skipped.Id, error, app.ResultTtl),
                static (storage, s, ct) => storage.PutResultAsync(s.Id, s.error, s.ResultTtl, ct), cancellationToken).ConfigureAwait(false);
            step = skipped.Flow.IsEmpty ? null : TaskFlow.Decode(skipped.Flow).Next;
        }
    }

    [LoggerMessage(20, LogLevel.Error, "Task {TaskName} ({TaskId}) ran, but what follows it (its pipeline's next step, its error step or its chord) does not decode: {Reason}")]
    private static partial void LogFlowUnreadable(ILogger logger, string taskName, string taskId, string reason);

    [LoggerMessage(21, LogLevel.Warning, "Task {TaskName} ({TaskId}) ran, but what follows it could not be sent; it is handed back to run again")]
    private static partial void LogFlowNotSent(ILogger logger, string taskName, string taskId, Exception error);
}
