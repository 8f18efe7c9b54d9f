using System.CommandLine;
using TaskQueue.Operations;

namespace TaskQueue.Cli;

/// <summary>The subcommands: one listing or action each, on <see cref="TaskApp.Operations"/> and the app's own calls.</summary>
internal static class Commands
{
    public static IEnumerable<Command> All(TextWriter output, TextWriter error)
    {
        Command Make(string name, string description, Func<Context, Task<int>> run, params Symbol[] symbols)
        {
            var command = new Command(name, description);
            foreach (var symbol in symbols)
            {
                if (symbol is Option option) command.Options.Add(option);
                else command.Arguments.Add((Argument)symbol);
            }
            TaskQueueCli.Action(command, output, error, run);
            return command;
        }

        var limit = new Option<int>("--limit") { Description = "Most rows listed.", DefaultValueFactory = _ => 100 };
        var queue = new Option<string>("--queue", "-q") { Description = "The queue.", DefaultValueFactory = _ => TaskDescriptor.DefaultQueue };

        yield return Make("queues", "Queues with their depth, how long the head has waited, and the last minute and hour.", Queues);
        yield return Make("pending", "Tasks waiting in a queue, head first, with their arguments.", c => Pending(c, c.Result.GetValue(queue)!, c.Result.GetValue(limit)), queue, limit);
        yield return Make("scheduled", "Scheduled tasks, soonest first, with their arguments.", c => Scheduled(c, c.Result.GetValue(limit)), limit);
        yield return Make("running", "Tasks that workers run now.", Running);
        yield return Make("workers", "Live consumers: host, pid, version, queues, workers, what they run.", Workers);
        yield return Make("results", "Stored results and errors (without reading them away).", c => Results(c, c.Result.GetValue(limit)), limit);
        yield return Make("stats", "Counts per queue and task over the last minute, hour and day.", Stats);
        yield return Dead(Make, limit);
        var id = new Option<string>("--id") { Description = "A task instance's id." };
        var task = new Option<string>("--task") { Description = "A task's name (all its runs)." };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Revoke until this time (ISO 8601); until restored when not given." };
        var once = new Option<bool>("--once") { Description = "Skip only the next run." };
        yield return Make("revoke", "Revokes a task instance (--id) or a task (--task).", c => Revoke(c, c.Result.GetValue(id), c.Result.GetValue(task), c.Result.GetValue(until), c.Result.GetValue(once)),
            id, task, until, once);
        yield return Make("restore", "Restores a task instance (--id) or a task (--task).", c => Restore(c, c.Result.GetValue(id), c.Result.GetValue(task)), id, task);
        yield return Periodic(Make);
        yield return Recurring(Make);
        yield return Make("migrate-layout",
            "Moves what TaskQueue 0.2's single-slot Redis layout holds (queues, in-flight, scheduled, dead letters, results) into this version's, " +
            "a hash tag per queue. Run it with the old workers stopped; safe to run again.", MigrateLayout);
    }

    private static async Task<int> MigrateLayout(Context c)
    {
        var moved = await ((Redis.RedisStorage)c.App.Storage).MigrateLayoutAsync(c.CancellationToken).ConfigureAwait(false);
        c.Output.Table(["queued", "handed_back", "scheduled", "dead_letters", "results", "queues"],
            [[moved.Queued, moved.HandedBack, moved.Scheduled, moved.DeadLetters, moved.Results, string.Join(",", moved.Queues)]]);
        return ExitCodes.Ok;
    }

    private delegate Command Maker(string name, string description, Func<Context, Task<int>> run, params Symbol[] symbols);

    private static async Task<int> Queues(Context c)
    {
        var queues = await c.App.Operations.QueuesAsync(c.CancellationToken).ConfigureAwait(false);
        c.Output.Table(["queue", "depth", "oldest_waiting", "enqueued_1m", "succeeded_1m", "failed_1m", "enqueued_1h", "succeeded_1h", "failed_1h"],
            queues.Select(q => new object?[] { q.Name, q.Depth, q.OldestWaiting, q.LastMinute.Enqueued, q.LastMinute.Succeeded, q.LastMinute.Failed,
                q.LastHour.Enqueued, q.LastHour.Succeeded, q.LastHour.Failed }));
        return ExitCodes.Ok;
    }

    private static readonly string[] MessageColumns = ["id", "task", "queue", "created", "eta", "retries", "arguments", "error"];

    private static object?[] MessageRow(MessageView m)
        => [m.Id, m.Task, m.Queue, m.CreatedAt, m.Eta, m.RetriesLeft, new RawJson(m.Arguments), m.Error];

    private static async Task<int> Pending(Context c, string queue, int limit)
    {
        var pending = await c.App.Operations.PendingAsync(queue, limit, c.CancellationToken).ConfigureAwait(false);
        c.Output.Table(MessageColumns, pending.Select(MessageRow));
        return ExitCodes.Ok;
    }

    private static async Task<int> Scheduled(Context c, int limit)
    {
        var scheduled = await c.App.Operations.ScheduledAsync(limit, c.CancellationToken).ConfigureAwait(false);
        c.Output.Table(MessageColumns, scheduled.Select(MessageRow));
        return ExitCodes.Ok;
    }

    private static async Task<int> Running(Context c)
    {
        var running = await c.App.Operations.RunningAsync(c.CancellationToken).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        c.Output.Table(["id", "task", "queue", "started", "running_for", "consumer"],
            running.Select(r => new object?[] { r.Task.TaskId, r.Task.TaskName, r.Task.Queue, r.Task.StartedAt, now - r.Task.StartedAt, r.Consumer.ConsumerId }));
        return ExitCodes.Ok;
    }

    private static async Task<int> Workers(Context c)
    {
        var workers = await c.App.Operations.WorkersAsync(c.CancellationToken).ConfigureAwait(false);
        c.Output.Table(["id", "host", "pid", "version", "started", "queues", "workers", "running", "seen"],
            workers.Select(w => new object?[] { w.ConsumerId, w.Host, w.ProcessId, w.Version, w.StartedAt, w.Queues, w.Workers, w.Running.Count, w.SeenAt }));
        return ExitCodes.Ok;
    }

    private static async Task<int> Results(Context c, int limit)
    {
        var results = await c.App.ResultsAsync(limit, c.CancellationToken).ConfigureAwait(false);
        c.Output.Table(["id", "status", "task", "error"],
            results.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new object?[]
            {
                r.Key, r.Value.IsError ? "error" : "value", r.Value.Error?.TaskName,
                r.Value.Error is { } e ? $"{e.Type}: {e.Message}" : null,
            }));
        return ExitCodes.Ok;
    }

    private static async Task<int> Stats(Context c)
    {
        var stats = await c.App.Operations.StatisticsAsync(c.CancellationToken).ConfigureAwait(false);
        if (c.Output.Json)
        {
            c.Output.Table(["queue", "task", "last_minute", "last_hour", "last_day"],
                stats.Queues.Concat(stats.Tasks).Select(r => new object?[] { r.Queue, r.Task, r.LastMinute, r.LastHour, r.LastDay }));
            return ExitCodes.Ok;
        }
        c.Output.Table(["queue", "task", "enq_1m", "ok_1m", "fail_1m", "enq_1h", "ok_1h", "fail_1h", "retry_1h", "dead_1h", "enq_1d", "ok_1d", "fail_1d"],
            stats.Queues.Concat(stats.Tasks).Select(r => new object?[]
            {
                r.Queue, r.Task ?? "(all)", r.LastMinute.Enqueued, r.LastMinute.Succeeded, r.LastMinute.Failed, r.LastHour.Enqueued, r.LastHour.Succeeded,
                r.LastHour.Failed, r.LastHour.Retried, r.LastHour.DeadLettered, r.LastDay.Enqueued, r.LastDay.Succeeded, r.LastDay.Failed,
            }), "(no counts in the last day)");
        return ExitCodes.Ok;
    }

    private static Command Dead(Maker make, Option<int> limit)
    {
        var id = new Argument<string>("id") { Description = "The dead letter's id." };
        var task = new Option<string>("--task") { Description = "Only dead letters of this task." };
        var queue = new Option<string>("--queue", "-q") { Description = "Only dead letters from this queue." };
        var reason = new Option<string>("--reason") { Description = "Only dead letters whose reason contains this text." };
        var dead = new Command("dead", "Dead letters: messages that could not run.");
        dead.Subcommands.Add(make("list", "Dead letters, newest first.", async c =>
        {
            var letters = await c.App.Operations.DeadLettersAsync(c.Result.GetValue(limit), c.CancellationToken).ConfigureAwait(false);
            c.Output.Table(["id", "at", "queue", "task", "task_id", "reason", "arguments"],
                letters.Select(l => new object?[] { l.Id, l.At, l.Message.Queue, l.Message.Task, l.Message.Id, l.Reason, new RawJson(l.Message.Arguments) }));
            return ExitCodes.Ok;
        }, limit));
        dead.Subcommands.Add(make("show", "One dead letter in full.", async c =>
        {
            var letter = await c.App.Operations.DeadLetterAsync(c.Result.GetValue(id)!, c.CancellationToken).ConfigureAwait(false);
            if (letter is null) return NotFound(c, $"no dead letter {c.Result.GetValue(id)}");
            var m = letter.Message;
            c.Output.Record(["id", "at", "reason", "queue", "task", "task_id", "created", "retries", "recurring_id", "arguments", "error"],
                [letter.Id, letter.At, letter.Reason, m.Queue, m.Task, m.Id, m.CreatedAt, m.RetriesLeft, m.RecurringId, new RawJson(m.Arguments), m.Error]);
            return ExitCodes.Ok;
        }, id));
        dead.Subcommands.Add(make("requeue", "Puts one dead letter back on its queue.", async c =>
        {
            string letter = c.Result.GetValue(id)!;
            if (!await c.App.RequeueDeadLetterAsync(letter, c.CancellationToken).ConfigureAwait(false)) return NotFound(c, $"no dead letter {letter}");
            c.Output.Done($"dead letter {letter} requeued", ("id", letter));
            return ExitCodes.Ok;
        }, id));
        dead.Subcommands.Add(make("requeue-all", "Puts back every dead letter that matches --task, --queue and --reason (all of them when none is given).", async c =>
        {
            string? t = c.Result.GetValue(task), q = c.Result.GetValue(queue), r = c.Result.GetValue(reason);
            int n = await c.App.Operations.RequeueDeadLettersAsync(l => (t is null || l.Message.Task == t) && (q is null || l.Message.Queue == q)
                && (r is null || l.Reason.Contains(r, StringComparison.OrdinalIgnoreCase)), c.CancellationToken).ConfigureAwait(false);
            c.Output.Done($"{n} dead letters requeued", ("requeued", n));
            return ExitCodes.Ok;
        }, task, queue, reason));
        dead.Subcommands.Add(make("delete", "Deletes one dead letter.", async c =>
        {
            string letter = c.Result.GetValue(id)!;
            if (!await c.App.DeleteDeadLetterAsync(letter, c.CancellationToken).ConfigureAwait(false)) return NotFound(c, $"no dead letter {letter}");
            c.Output.Done($"dead letter {letter} deleted", ("id", letter));
            return ExitCodes.Ok;
        }, id));
        return dead;
    }

    private static async Task<int> Revoke(Context c, string? id, string? task, DateTimeOffset? until, bool once)
    {
        if ((id is null) == (task is null)) throw new ArgumentException("revoke takes --id or --task, one of them");
        if (id is not null) await c.App.RevokeByIdAsync(id, until, once, c.CancellationToken).ConfigureAwait(false);
        else await c.App.RevokeTaskAsync(task!, until, once, c.CancellationToken).ConfigureAwait(false);
        c.Output.Done(id is not null ? $"task instance {id} revoked" : $"task {task} revoked", ("id", id), ("task", task), ("until", until), ("once", once));
        return ExitCodes.Ok;
    }

    private static async Task<int> Restore(Context c, string? id, string? task)
    {
        if ((id is null) == (task is null)) throw new ArgumentException("restore takes --id or --task, one of them");
        bool was = id is not null
            ? await c.App.RestoreByIdAsync(id, c.CancellationToken).ConfigureAwait(false)
            : await c.App.RestoreTaskAsync(task!, c.CancellationToken).ConfigureAwait(false);
        if (!was) return NotFound(c, id is not null ? $"task instance {id} was not revoked" : $"task {task} was not revoked");
        c.Output.Done(id is not null ? $"task instance {id} restored" : $"task {task} restored", ("id", id), ("task", task));
        return ExitCodes.Ok;
    }

    private static Command Periodic(Maker make)
    {
        var name = new Argument<string>("name") { Description = "The periodic task's name." };
        var periodic = new Command("periodic", "Periodic tasks (those of the assemblies given with --assembly).");
        periodic.Subcommands.Add(make("list", "Periodic tasks with their schedule, last and next run, and whether they are paused.", async c =>
        {
            var list = await c.App.Operations.PeriodicAsync(c.CancellationToken).ConfigureAwait(false);
            c.Output.Table(["name", "queue", "schedule", "last_run", "next_run", "paused"],
                list.Select(p => new object?[] { p.Name, p.Queue, p.Schedule, p.LastRun, p.NextRun, p.Paused }),
                "(no periodic task known here: give the assembly with the tasks with --assembly)");
            return ExitCodes.Ok;
        }));
        periodic.Subcommands.Add(make("pause", "Pauses a periodic task for every worker: its occurrences pass without a run.", async c =>
        {
            await c.App.Operations.PausePeriodicAsync(c.Result.GetValue(name)!, c.CancellationToken).ConfigureAwait(false);
            c.Output.Done($"periodic task {c.Result.GetValue(name)} paused", ("name", c.Result.GetValue(name)));
            return ExitCodes.Ok;
        }, name));
        periodic.Subcommands.Add(make("resume", "Resumes a paused periodic task.", async c =>
        {
            await c.App.Operations.ResumePeriodicAsync(c.Result.GetValue(name)!, c.CancellationToken).ConfigureAwait(false);
            c.Output.Done($"periodic task {c.Result.GetValue(name)} resumed", ("name", c.Result.GetValue(name)));
            return ExitCodes.Ok;
        }, name));
        return periodic;
    }

    private static Command Recurring(Maker make)
    {
        var which = new Argument<string>("record") { Description = "The record's id or label." };
        var recurring = new Command("recurring", "Recurring-task records (made at run time, kept in storage).");
        string[] columns = ["id", "label", "task", "schedule", "time_zone", "enabled", "next_run", "last_run", "runs", "running", "busy"];
        object?[] Row(RecurringTask r) => [r.Id, r.Label, r.TaskName, r.Schedule, r.TimeZone, r.Enabled, r.NextRun, r.LastRun, r.RunCount, r.Running, r.Busy];
        async Task<RecurringTask?> FindAsync(Context c)
        {
            string key = c.Result.GetValue(which)!;
            return await c.App.Recurring.GetAsync(key, c.CancellationToken).ConfigureAwait(false)
                   ?? await c.App.Recurring.FindAsync(key, c.CancellationToken).ConfigureAwait(false);
        }
        recurring.Subcommands.Add(make("list", "Recurring records, by label.", async c =>
        {
            var list = await c.App.Recurring.ListAsync(cancellationToken: c.CancellationToken).ConfigureAwait(false);
            c.Output.Table(columns, list.Select(Row));
            return ExitCodes.Ok;
        }));
        recurring.Subcommands.Add(make("show", "One record in full.", async c =>
        {
            if (await FindAsync(c).ConfigureAwait(false) is not { } r) return NotFound(c, $"no recurring record {c.Result.GetValue(which)}");
            c.Output.Record([.. columns, "start_running", "end_running", "iterations", "allow_overlap", "created", "modified", "userdata"],
                [.. Row(r), r.StartRunning, r.EndRunning, r.Iterations, r.AllowOverlap, r.CreatedAt, r.ModifiedAt, new RawJson(r.UserData.ToJsonString())]);
            return ExitCodes.Ok;
        }, which));
        foreach (var (verb, past, act) in new (string, string, Func<TaskApp, RecurringTask, CancellationToken, Task<bool>>)[]
        {
            ("enable", "enabled", (app, r, ct) => app.Recurring.EnableAsync(r.Id, ct)),
            ("disable", "disabled", (app, r, ct) => app.Recurring.DisableAsync(r.Id, ct)),
            ("delete", "deleted", (app, r, ct) => app.Recurring.DeleteAsync(r.Id, ct)),
            ("run", "made due now", (app, r, ct) => app.Operations.RunRecurringNowAsync(r.Id, ct).AsTask()),
        })
        {
            recurring.Subcommands.Add(make(verb, verb == "run" ? "Makes a record due now: a worker runs it at once." : $"{char.ToUpperInvariant(verb[0])}{verb[1..]}s a record.", async c =>
            {
                if (await FindAsync(c).ConfigureAwait(false) is not { } r || !await act(c.App, r, c.CancellationToken).ConfigureAwait(false))
                {
                    return NotFound(c, $"no recurring record {c.Result.GetValue(which)}");
                }
                c.Output.Done($"recurring record '{r.Label}' ({r.Id}) {past}", ("id", r.Id), ("label", r.Label));
                return ExitCodes.Ok;
            }, which));
        }
        return recurring;
    }

    private static int NotFound(Context c, string message)
    {
        if (c.Output.Json) c.Output.Record(["ok", "message"], [false, message]);
        else c.Output.Writer.WriteLine(message);
        return ExitCodes.NotFound;
    }
}
