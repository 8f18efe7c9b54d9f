using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue.Operations;

/// <summary>A message as operators read it: its task, its arguments as JSON, and what travels with it.</summary>
/// <param name="Id">The task instance's id, or null when the message does not decode.</param>
/// <param name="Task">The task's name, or null when the message does not decode.</param>
/// <param name="Queue">The queue it is in or goes to.</param>
/// <param name="Arguments">The arguments as one JSON object (names and values when the task is known here; see <see cref="TaskDescriptor.RenderArguments"/>).</param>
/// <param name="CreatedAt">When it was made, if it says.</param>
/// <param name="Eta">When it is due, for a scheduled message.</param>
/// <param name="RetriesLeft">Retries left after this run.</param>
/// <param name="RecurringId">The recurring record that queued it, if any.</param>
/// <param name="Error">Why it does not decode, when it does not.</param>
public sealed record MessageView(string? Id, string? Task, string Queue, string Arguments, DateTimeOffset? CreatedAt, DateTimeOffset? Eta,
    int RetriesLeft, string? RecurringId, string? Error = null);

/// <summary>A dead letter as operators read it.</summary>
/// <param name="Id">The dead letter's id (for requeue and delete).</param>
/// <param name="Reason">Why it could not run.</param>
/// <param name="At">When it was set aside.</param>
/// <param name="Message">The message.</param>
public sealed record DeadLetterView(string Id, string Reason, DateTimeOffset At, MessageView Message);

/// <summary>A stored error: a task that failed (with no retry left when <see cref="RetriesLeft"/> is 0).</summary>
/// <param name="TaskId">The task instance's id.</param>
/// <param name="Task">The task's name.</param>
/// <param name="Type">The exception's type.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="StackTrace">The remote stack trace.</param>
/// <param name="RetriesLeft">Retries the task had left when it failed.</param>
public sealed record FailureView(string TaskId, string? Task, string Type, string Message, string? StackTrace, int RetriesLeft);

public sealed partial class TaskOperations
{
    /// <summary>Messages waiting in <paramref name="queue"/>, head first, with their arguments; those that do not decode are shown with the reason.</summary>
    public async ValueTask<IReadOnlyList<MessageView>> PendingAsync(string queue = TaskDescriptor.DefaultQueue, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        var raw = await app.CallStorageAsync("list the pending tasks of queue", queue, (queue, limit), static (s, x, ct) => s.PendingAsync(x.queue, x.limit, ct),
            cancellationToken).ConfigureAwait(false);
        return raw.Select(b => View(queue, b)).ToList();
    }

    /// <summary>Scheduled messages, soonest first, with their arguments.</summary>
    public async ValueTask<IReadOnlyList<MessageView>> ScheduledAsync(int limit = 100, CancellationToken cancellationToken = default)
    {
        var raw = await app.CallStorageAsync("list the scheduled tasks", null, limit, static (s, n, ct) => s.ScheduledAsync(n, ct), cancellationToken)
            .ConfigureAwait(false);
        return raw.Select(s => View(s.Queue, s.Body) with { Eta = s.Eta }).ToList();
    }

    /// <summary>Dead letters, newest first, with their reasons and arguments.</summary>
    public async ValueTask<IReadOnlyList<DeadLetterView>> DeadLettersAsync(int limit = 100, CancellationToken cancellationToken = default)
    {
        var raw = await app.DeadLettersAsync(limit, cancellationToken).ConfigureAwait(false);
        return raw.Select(d => new DeadLetterView(d.Id, d.Reason, d.At, View(d.Queue, d.Body))).ToList();
    }

    /// <summary>One dead letter, or null.</summary>
    public async ValueTask<DeadLetterView?> DeadLetterAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        // Dead letters are kept newest first and bounded (TaskApp.DeadLetterLimit): a scan is fine for an operator.
        return (await DeadLettersAsync(app.DeadLetterLimit + 1, cancellationToken).ConfigureAwait(false)).FirstOrDefault(d => d.Id == id);
    }

    /// <summary>
    /// Puts back every dead letter that <paramref name="match"/> accepts (all when null) and returns
    /// how many went back.
    /// </summary>
    public async ValueTask<int> RequeueDeadLettersAsync(Func<DeadLetterView, bool>? match = null, CancellationToken cancellationToken = default)
    {
        int requeued = 0;
        foreach (var letter in await DeadLettersAsync(app.DeadLetterLimit + 1, cancellationToken).ConfigureAwait(false))
        {
            if (match is not null && !match(letter)) continue;
            if (await app.RequeueDeadLetterAsync(letter.Id, cancellationToken).ConfigureAwait(false)) requeued++;
        }
        return requeued;
    }

    /// <summary>Stored errors (tasks that failed), as many as <paramref name="limit"/> results are read.</summary>
    public async ValueTask<IReadOnlyList<FailureView>> FailuresAsync(int limit = 1000, CancellationToken cancellationToken = default)
    {
        var results = await app.ResultsAsync(limit, cancellationToken).ConfigureAwait(false);
        return results.Where(r => r.Value.IsError)
            .Select(r => new FailureView(r.Key, r.Value.Error!.TaskName, r.Value.Error.Type, r.Value.Error.Message, r.Value.Error.StackTrace, r.Value.Error.RetriesLeft))
            .OrderBy(f => f.TaskId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Makes the recurring record <paramref name="id"/> due now: the consumers run it as they would at
    /// an occurrence (a no-overlap record still skips while its last run goes on), and its schedule
    /// goes on from there. False when there is no such record.
    /// </summary>
    public async ValueTask<bool> RunRecurringNowAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var entry = await app.CallStorageAsync("read recurring task", id, id, static (s, i, ct) => s.GetRecurringAsync(i, ct), cancellationToken)
                .ConfigureAwait(false);
            if (entry is null) return false;
            var now = await app.StorageTimeAsync(cancellationToken).ConfigureAwait(false);
            var write = new RecurringWrite(entry.Id, entry.Label, entry.Body, now, entry.Version);
            var result = await app.CallStorageAsync("run recurring task", entry.Label, write, static (s, w, ct) => s.PutRecurringAsync(w, ct), cancellationToken)
                .ConfigureAwait(false);
            if (result.Status == RecurringWriteStatus.Written) return true;
            // Someone wrote the record meanwhile: perhaps this call's first try, whose reply was lost,
            // and a consumer that then fired it. Due now, or run since now, means done: writing it
            // due again would run it twice.
            var after = await app.CallStorageAsync("read recurring task", id, id, static (s, i, ct) => s.GetRecurringAsync(i, ct), cancellationToken)
                .ConfigureAwait(false);
            if (after is null) return false;
            if (after.NextRun <= now || LastRunOf(after) >= now) return true;
        }
        throw new InvalidOperationException($"recurring task {id} kept changing while it was made due; try again");
    }

    private static DateTimeOffset? LastRunOf(RecurringEntry entry)
    {
        try
        {
            return RecurringCodec.Decode(entry.Body).LastRun;
        }
        catch (TaskPayloadException)
        {
            return null;
        }
    }

    /// <summary>A message from storage as a view: decoded when it decodes, its arguments rendered by its task's renderer when this app knows the task.</summary>
    internal MessageView View(string queue, ReadOnlyMemory<byte> body)
    {
        TaskMessage message;
        try
        {
            message = MessageCodec.Decode(app.Open(body));
        }
        catch (TaskPayloadException e)
        {
            return new MessageView(null, null, queue, ArgumentsJson.Render(null, body), null, null, 0, null, Texts.Cut(e.Message));
        }
        return new MessageView(message.Id, message.Name, queue, app.Tasks.RenderArguments(message), message.CreatedAt, message.Eta, message.Retries,
            message.RecurringId);
    }
}
