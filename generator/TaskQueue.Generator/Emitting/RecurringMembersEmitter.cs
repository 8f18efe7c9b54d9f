namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes a <c>[Task]</c> stub's recurring-task members (sisy's API), static and on <c>Bound</c>:
/// <c>Recurring</c> makes an unsaved record with the task's encoded arguments, <c>RunIterations[Async]</c>
/// and <c>RunOnce[Async]</c> make and save one. They forward to <c>TaskApp.Recurring</c>, so the
/// rules (default schedule, label, checks) live in the runtime. A task with a payload parameter named
/// like one of their options gets none of them (TQ0011).
/// </summary>
internal static class RecurringMembersEmitter
{
    private const string Token = Known.CancellationToken + " cancellationToken = default";

    public static void Emit(SourceWriter w, StubShape s, bool bound, string on)
    {
        string payload = s.PayloadDeclarations, args = s.PayloadArguments;
        string descriptor = s.Member("Descriptor"), encode = $"{s.Member("EncodeArguments")}({args})";
        string recurring = "this.App.Recurring";
        string task = $"{Known.Task}<{Known.RecurringTask}>";

        const string createOptions = "string? schedule = null, string? label = null, string? timeZone = null, " + Known.JsonObject + "? userdata = null, " +
            "bool enabled = true, " + Known.DateTimeOffset + "? startRunning = null, " + Known.DateTimeOffset + "? endRunning = null, " +
            "bool waitForSchedule = true, int iterations = 0, bool allowOverlap = true";
        const string createArguments = "schedule, label, timeZone, userdata, enabled, startRunning, endRunning, waitForSchedule, iterations, allowOverlap";
        Docs.Summary(w, $"Makes a recurring task on {on} that runs the task with these arguments on <paramref name=\"schedule\"/> (sisy's <c>Task</c>); it is active once saved.");
        Docs.PayloadParams(w, s);
        Docs.Param(w, "schedule", $"Cron schedule: 5 fields, or 6 with leading seconds; the app's <see cref=\"{Known.RecurringTasks}.DefaultSchedule\"/> (every minute unless changed) when null.");
        Docs.Param(w, "label", "Unique label; the task's name when null.");
        Docs.Param(w, "timeZone", "Time zone id the schedule is read in (an IANA id such as <c>Europe/Berlin</c>); UTC when null.");
        UserDataParam(w);
        Docs.Param(w, "enabled", "Whether it runs.");
        Docs.Param(w, "startRunning", "When it is first eligible to run; at once when null.");
        Docs.Param(w, "endRunning", "When it stops being eligible to run; never when null.");
        Docs.Param(w, "waitForSchedule", "Whether the first run waits for the schedule (true) or happens as soon as the record is active.");
        Docs.Param(w, "iterations", "How many runs in all; 0 runs forever.");
        Docs.Param(w, "allowOverlap", "Whether a run may start while an earlier one is queued or running; when false that occurrence is skipped, across all consumers.");
        Docs.Returns(w, $"The record, not yet saved: change it if need be, then <see cref=\"{Known.RecurringTask}.SaveAsync\"/> it.");
        Throws(w, "The schedule, time zone, label, window or iterations are not valid; the message says why.");
        ClientMembersEmitter.Member(w, s, bound, Known.RecurringTask, "Recurring", StubShape.Join(payload, createOptions), StubShape.Join(args, createArguments),
            $"{recurring}.Create({descriptor}, {encode}, {createArguments})");

        string iterationOptions = $"int iterations = 1, string? label = null, string schedule = {Known.RecurringTasks}.EverySecond, {Known.JsonObject}? userdata = null, " +
            $"bool runImmediately = false, {Known.DateTimeOffset}? delayUntil = null";
        const string iterationArguments = "iterations, label, schedule, userdata, runImmediately, delayUntil";
        IterationsDocs(w, s, on, withToken: true);
        ClientMembersEmitter.Member(w, s, bound, task, "RunIterationsAsync", StubShape.Join(payload, iterationOptions, Token),
            StubShape.Join(args, iterationArguments, "cancellationToken"),
            $"{recurring}.RunIterationsAsync({descriptor}, {encode}, {iterationArguments}, cancellationToken)");
        IterationsDocs(w, s, on, withToken: false);
        ClientMembersEmitter.Member(w, s, bound, Known.RecurringTask, "RunIterations", StubShape.Join(payload, iterationOptions),
            StubShape.Join(args, iterationArguments), $"{recurring}.RunIterations({descriptor}, {encode}, {iterationArguments})");

        string onceOptions = $"{Known.JsonObject}? userdata = null, {Known.DateTimeOffset}? delayUntil = null";
        OnceDocs(w, s, on, withToken: true);
        ClientMembersEmitter.Member(w, s, bound, task, "RunOnceAsync", StubShape.Join(payload, onceOptions, Token),
            StubShape.Join(args, "userdata, delayUntil, cancellationToken"), $"{recurring}.RunOnceAsync({descriptor}, {encode}, userdata, delayUntil, cancellationToken)");
        OnceDocs(w, s, on, withToken: false);
        ClientMembersEmitter.Member(w, s, bound, Known.RecurringTask, "RunOnce", StubShape.Join(payload, onceOptions),
            StubShape.Join(args, "userdata, delayUntil"), $"{recurring}.RunOnce({descriptor}, {encode}, userdata, delayUntil)");
    }

    private static void IterationsDocs(SourceWriter w, StubShape s, string on, bool withToken)
    {
        Docs.Summary(w, $"Makes and saves a recurring task on {on} that runs the task with these arguments <paramref name=\"iterations\"/> times on <paramref name=\"schedule\"/> (sisy's <c>run_iterations</c>).");
        Docs.PayloadParams(w, s);
        Docs.Param(w, "iterations", "How many runs, at least 1.");
        Docs.Param(w, "label", "Unique label; the task's name, <c>#</c> and the start of the record's id when null.");
        Docs.Param(w, "schedule", "Cron schedule: 5 fields, or 6 with leading seconds; every second by default.");
        UserDataParam(w);
        Docs.Param(w, "runImmediately", "Run the first iteration at once rather than at the schedule's first occurrence.");
        Docs.Param(w, "delayUntil", "Not before this time; at once when null.");
        if (withToken) Docs.CancellationParam(w, "Cancels the save.");
        Docs.Returns(w, "The saved record.");
        Throws(w, "The schedule, label or iterations are not valid; the message says why.");
    }

    private static void OnceDocs(SourceWriter w, StubShape s, string on, bool withToken)
    {
        Docs.Summary(w, $"Makes and saves a recurring task on {on} that runs the task with these arguments once, as soon as a consumer sees it or at <paramref name=\"delayUntil\"/> (sisy's <c>run_once</c>).");
        Docs.PayloadParams(w, s);
        UserDataParam(w);
        Docs.Param(w, "delayUntil", "Not before this time; at once when null.");
        if (withToken) Docs.CancellationParam(w, "Cancels the save.");
        Docs.Returns(w, "The saved record.");
    }

    private static void UserDataParam(SourceWriter w)
        => Docs.Param(w, "userdata", $"JSON data every run can read as <see cref=\"{Known.TaskContext}.UserData\"/>; empty when null.");

    private static void Throws(SourceWriter w, string text)
        => w.WriteLine($"/// <exception cref=\"global::System.ArgumentException\">{text}</exception>");
}
