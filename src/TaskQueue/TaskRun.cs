using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue;

/// <summary>What one run of <see cref="TaskRunner.RunNextAsync"/> came to: the events it published, its outcome, and what it stored.</summary>
public sealed class TaskRun
{
    /// <summary>Event kinds that say how a run ended; the last of them is its <see cref="Outcome"/>.</summary>
    private static readonly HashSet<TaskEventKind> Endings =
    [
        TaskEventKind.Finished, TaskEventKind.Error, TaskEventKind.Cancelled, TaskEventKind.Revoked, TaskEventKind.DeadLettered,
        TaskEventKind.Released, TaskEventKind.Skipped, TaskEventKind.Expired, TaskEventKind.TimedOut,
    ];

    internal TaskRun(string queue, string? taskId, string? taskName, Completion completion, IReadOnlyList<TaskEvent> events)
    {
        Queue = queue;
        TaskId = taskId;
        TaskName = taskName;
        Events = events;
        WillRetry = completion.Kind == CompletionKind.Retry;
        DeadLetterReason = completion.Kind == CompletionKind.DeadLetter ? completion.Reason : null;
        if (completion.Kind == CompletionKind.Result)
        {
            var stored = ResultCodec.Decode(completion.Result);
            if (stored.IsError)
            {
                var e = stored.Error!;
                Error = new TaskFailedException(completion.ResultId!, e.TaskName ?? taskName, e.Type, e.Message, e.StackTrace) { RetriesLeft = e.RetriesLeft };
            }
            else
            {
                ValueJson = MessagePackJson.ToJson(stored.Value);
            }
        }
        Outcome = events.LastOrDefault(e => Endings.Contains(e.Kind))?.Kind ?? completion.Kind switch
        {
            CompletionKind.Result when Error is not null => TaskEventKind.Error,
            CompletionKind.Retry => TaskEventKind.Retrying,
            CompletionKind.DeadLetter => TaskEventKind.DeadLettered,
            CompletionKind.Release => TaskEventKind.Released,
            _ => TaskEventKind.Finished,
        };
    }

    /// <summary>The queue the message was taken from.</summary>
    public string Queue { get; }

    /// <summary>The instance's id; null for a message that did not decode.</summary>
    public string? TaskId { get; }

    /// <summary>The task's name; null for a message that did not decode.</summary>
    public string? TaskName { get; }

    /// <summary>
    /// How the run ended, as the last event that says so: <see cref="TaskEventKind.Finished"/>,
    /// <see cref="TaskEventKind.Error"/> (see <see cref="WillRetry"/>), <see cref="TaskEventKind.Cancelled"/>,
    /// <see cref="TaskEventKind.Revoked"/>, <see cref="TaskEventKind.DeadLettered"/>, <see cref="TaskEventKind.Released"/>,
    /// <see cref="TaskEventKind.Skipped"/>, <see cref="TaskEventKind.Expired"/> or <see cref="TaskEventKind.TimedOut"/>;
    /// <see cref="TaskEventKind.Retrying"/> for a message handed back to run later without any of them (a task this
    /// process does not know, while the message is young).
    /// </summary>
    public TaskEventKind Outcome { get; }

    /// <summary>Whether the message was queued again to run later (a failure or a cancel with retries left).</summary>
    public bool WillRetry { get; }

    /// <summary>Every event published about the run, in order (<see cref="TaskEventKind.Started"/> included).</summary>
    public IReadOnlyList<TaskEvent> Events { get; }

    /// <summary>The stored value as JSON (see <see cref="TaskResultBase.GetJsonAsync"/>); null when no value was stored.</summary>
    public string? ValueJson { get; }

    /// <summary>The stored error (what reading the result throws); null when no error was stored.</summary>
    public TaskFailedException? Error { get; }

    /// <summary>Why the message went to dead letters; null when it did not.</summary>
    public string? DeadLetterReason { get; }

    /// <summary>Whether the run finished (<see cref="Outcome"/> is <see cref="TaskEventKind.Finished"/>).</summary>
    public bool Succeeded => Outcome == TaskEventKind.Finished;

    /// <inheritdoc />
    public override string ToString() => $"{TaskName ?? "?"} ({TaskId ?? "?"}): {Outcome}{(WillRetry ? ", will retry" : "")}";
}
