using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes the members a stub offers both as statics (on <c>TaskApp.Current</c>) and on
/// <c>Bound</c> (on one app): enqueue, schedule, enqueue many, recurring tasks (see
/// <see cref="RecurringMembersEmitter"/>), revoke, restore, result handles.
/// The statics delegate to <c>With(TaskApp.Current)</c>, so the two sets cannot drift apart.
/// </summary>
internal static class ClientMembersEmitter
{
    private const string Retries = "int? retries = null, " + Known.TimeSpan + "? retryDelay = null, int? priority = null";
    private const string Schedule = Known.TimeSpan + "? delay = null, " + Known.DateTimeOffset + "? eta = null, " + Retries;
    private const string Token = Known.CancellationToken + " cancellationToken = default";
    private const string ConfigureAwait = ".ConfigureAwait(false)";

    public static void Emit(SourceWriter w, StubShape s, bool bound)
    {
        string on = bound ? "the app these stubs are bound to" : $"<see cref=\"{Known.TaskApp}.Current\"/>";
        string payload = s.PayloadDeclarations, args = s.PayloadArguments;
        string descriptor = s.Member("Descriptor"), encode = $"{s.Member("EncodeArguments")}({args})", resultOf = s.Member("ResultOf");
        string resultTask = $"{Known.ValueTask}<{s.ResultType}>";

        Docs.Summary(w, $"Enqueues a run of the task on {on}.");
        Docs.PayloadParams(w, s);
        Docs.RetryParams(w);
        Docs.Returns(w, Docs.ResultReturns(s.Spec));
        Member(w, s, bound, s.ResultType, "Enqueue", StubShape.Join(payload, Retries), StubShape.Join(args, "retries, retryDelay, priority"),
            $"{resultOf}(this.App, this.App.Enqueue({descriptor}, {encode}, retries, retryDelay, priority))");

        Docs.Summary(w, $"Enqueues a run of the task on {on}.");
        Docs.PayloadParams(w, s);
        Docs.RetryParams(w);
        Docs.CancellationParam(w);
        Docs.Returns(w, Docs.ResultReturns(s.Spec));
        Member(w, s, bound, resultTask, "EnqueueAsync", StubShape.Join(payload, Retries, Token), StubShape.Join(args, "retries, retryDelay, priority, cancellationToken"),
            $"{resultOf}(this.App, await this.App.EnqueueAsync({descriptor}, {encode}, retries, retryDelay, priority, cancellationToken){ConfigureAwait})", isAsync: true);

        ScheduleDocs(w, s, on);
        Member(w, s, bound, s.ResultType, "Schedule", StubShape.Join(payload, Schedule), StubShape.Join(args, "delay, eta, retries, retryDelay, priority"),
            $"{resultOf}(this.App, this.App.Schedule({descriptor}, {encode}, delay, eta, retries, retryDelay, priority))");

        ScheduleDocs(w, s, on, withToken: true);
        Member(w, s, bound, resultTask, "ScheduleAsync", StubShape.Join(payload, Schedule, Token), StubShape.Join(args, "delay, eta, retries, retryDelay, priority, cancellationToken"),
            $"{resultOf}(this.App, await this.App.ScheduleAsync({descriptor}, {encode}, delay, eta, retries, retryDelay, priority, cancellationToken){ConfigureAwait})", isAsync: true);

        EnqueueManyEmitter.Emit(w, s, bound, on);

        if (s.Spec.HasRecurringMembers) RecurringMembersEmitter.Emit(w, s, bound, on);

        Docs.Summary(w, $"Revokes the task as a whole on {on}: none of its runs start until it is restored or until <paramref name=\"revokeUntil\"/>.");
        Docs.Param(w, "revokeUntil", "When the revocation ends; null lasts until <see cref=\"Restore\"/>.");
        Docs.Param(w, "revokeOnce", "Skip only the next run, then restore.");
        Member(w, s, bound, "void", "Revoke", $"{Known.DateTimeOffset}? revokeUntil = null, bool revokeOnce = false", "revokeUntil, revokeOnce",
            "this.App.RevokeTask(Name, revokeUntil, revokeOnce)");

        Docs.Summary(w, $"Revokes the task as a whole on {on}: none of its runs start until it is restored or until <paramref name=\"revokeUntil\"/>.");
        Docs.Param(w, "revokeUntil", "When the revocation ends; null lasts until <see cref=\"RestoreAsync\"/>.");
        Docs.Param(w, "revokeOnce", "Skip only the next run, then restore.");
        Docs.CancellationParam(w);
        Member(w, s, bound, Known.ValueTask, "RevokeAsync", $"{Known.DateTimeOffset}? revokeUntil = null, bool revokeOnce = false, {Token}",
            "revokeUntil, revokeOnce, cancellationToken", "this.App.RevokeTaskAsync(Name, revokeUntil, revokeOnce, cancellationToken)");

        Docs.Summary(w, $"Undoes <see cref=\"Revoke\"/> on {on}.");
        Docs.Returns(w, "Whether the task was revoked.");
        Member(w, s, bound, "bool", "Restore", "", "", "this.App.RestoreTask(Name)");

        Docs.Summary(w, $"Undoes <see cref=\"RevokeAsync\"/> on {on}.");
        Docs.CancellationParam(w);
        Docs.Returns(w, "Whether the task was revoked.");
        Member(w, s, bound, $"{Known.ValueTask}<bool>", "RestoreAsync", Token, "cancellationToken", "this.App.RestoreTaskAsync(Name, cancellationToken)");

        Docs.Summary(w, $"Whether the task as a whole is revoked on {on}.");
        Docs.Param(w, "at", "The moment to ask about; now when null.");
        Member(w, s, bound, "bool", "IsRevoked", $"{Known.DateTimeOffset}? at = null", "at", "this.App.IsTaskRevoked(Name, at)");

        Docs.Summary(w, $"Whether the task as a whole is revoked on {on}.");
        Docs.Param(w, "at", "The moment to ask about; now when null.");
        Docs.CancellationParam(w);
        Member(w, s, bound, $"{Known.ValueTask}<bool>", "IsRevokedAsync", $"{Known.DateTimeOffset}? at = null, {Token}", "at, cancellationToken",
            "this.App.IsTaskRevokedAsync(Name, at, cancellationToken)");

        Docs.Summary(w, $"A handle on an existing run of the task on {on}, from its id.");
        Docs.Param(w, "taskId", "The id that <c>Enqueue</c> or <c>Schedule</c> returned.");
        Member(w, s, bound, s.ResultType, "Result", "string taskId", "taskId", "ResultOf(this.App, taskId)", last: true);
    }

    private static void ScheduleDocs(SourceWriter w, StubShape s, string on, bool withToken = false)
    {
        Docs.Summary(w, $"Schedules a run of the task on {on}, after <paramref name=\"delay\"/> or at <paramref name=\"eta\"/>; give exactly one.");
        Docs.PayloadParams(w, s);
        Docs.Param(w, "delay", "How long from now to run it.");
        Docs.Param(w, "eta", "When to run it.");
        Docs.RetryParams(w);
        if (withToken) Docs.CancellationParam(w);
        Docs.Returns(w, Docs.ResultReturns(s.Spec));
        w.WriteLine($"/// <exception cref=\"global::System.ArgumentException\">Neither or both of <paramref name=\"delay\"/> and <paramref name=\"eta\"/> were given.</exception>");
    }

    /// <summary>One member: on <c>Bound</c> with <paramref name="body"/>, as a static forwarding <paramref name="arguments"/> to <c>Bound</c>.</summary>
    internal static void Member(SourceWriter w, StubShape s, bool bound, string returnType, string name, string parameters, string arguments,
        string body, bool isAsync = false, bool last = false)
    {
        if (bound)
        {
            w.WriteLine($"public {(isAsync ? "async " : "")}{returnType} {name}({parameters})");
            w.Indentation++;
            w.WriteLine($"=> {body};");
        }
        else
        {
            w.WriteLine($"public static {returnType} {name}({parameters})");
            w.Indentation++;
            w.WriteLine($"=> {s.Member("With")}({Known.TaskApp}.Current).{name}({arguments});");
        }
        w.Indentation--;
        if (!last) w.WriteLine();
    }
}
