using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes one task's stub class: its name and descriptor, the client members (static and bound to an
/// app), <c>CallLocal</c>, and the private argument, result and rendering code.
/// </summary>
internal static class TaskStubEmitter
{
    public static SourceText Emit(TaskSpec spec)
    {
        var s = new StubShape(spec);
        var w = new SourceWriter();
        w.WriteLine(Known.FileHeader);
        if (spec.Objects.Count > 0) w.WriteLine(Known.SuppressImportedCodecsWarning);
        w.WriteLine();
        if (spec.Namespace is not null) w.OpenBlock("namespace " + spec.Namespace);

        w.WriteLine("/// <summary>");
        string kind = spec.Periodic is null ? "task" : "periodic task";
        w.WriteLine(spec.Name == spec.MethodDisplayName
            ? $"/// The stubs of the {kind} <c>{Docs.Escape(spec.Name)}</c>:"
            : $"/// The stubs of the {kind} <c>{Docs.Escape(spec.Name)}</c>, which runs <c>{Docs.Escape(spec.MethodDisplayName)}</c>:");
        if (spec.Periodic is { } periodic)
        {
            w.WriteLine($"/// its schedule, <c>{Docs.Escape(periodic.Cron)}</c>{(periodic.TimeZone is { } zone ? $" in <c>{Docs.Escape(zone)}</c>" : " (UTC)")}, and its next run;");
            w.WriteLine("/// enqueue and schedule runs by hand, call it in this process, read results, revoke it.");
        }
        else if (spec.HasRecurringMembers)
        {
            w.WriteLine("/// enqueue and schedule runs, make recurring tasks, call it in this process, read results, revoke it.");
        }
        else
        {
            w.WriteLine("/// enqueue and schedule runs, call it in this process, read results, revoke it.");
        }
        w.WriteLine("/// </summary>");
        w.WriteLine("/// <remarks>");
        w.WriteLine($"/// Inside <c>{Docs.Escape(spec.MethodDisplayName.Substring(0, spec.MethodDisplayName.Length - spec.MethodName.Length - 1))}</c> the name <c>{spec.StubName}</c> means the method;");
        w.WriteLine($"/// reach these stubs there as <c>{s.StubTypeName}</c>.");
        if (spec.RecurringNameClash is { } clash)
        {
            w.WriteLine($"/// There are no <c>Recurring</c>, <c>RunIterations</c> or <c>RunOnce</c> members: the parameter <c>{clash}</c>");
            w.WriteLine("/// has the name of one of their options (TQ0011).");
        }
        w.WriteLine("/// </remarks>");
        w.WriteLine(Known.GeneratedCodeAttribute);
        w.OpenBlock($"{(spec.IsPublic ? "public" : "internal")} static class {Identifiers.Escape(spec.StubName)}");

        EmitIdentity(w, s);
        ClientMembersEmitter.Emit(w, s, bound: false);
        w.WriteLine();
        FlowMembersEmitter.Emit(w, s);
        EmitCallLocal(w, s);
        EmitBound(w, s);
        w.WriteLine();
        InvokerEmitter.Emit(w, s);
        w.WriteLine();
        RendererEmitter.Emit(w, s);

        w.CloseBlock();
        if (spec.Namespace is not null) w.CloseBlock();
        return w.ToSourceText();
    }

    /// <summary>The descriptor's expiry, timeout, backoff, lock and rate limit, where the attribute gives them.</summary>
    private static void EmitControls(SourceWriter w, ControlsSpec c)
    {
        static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
        if (c.ExpiresSeconds > 0) w.WriteLine($"Expires = {Known.TimeSpan}.FromSeconds({N(c.ExpiresSeconds)}),");
        if (c.TimeoutSeconds > 0) w.WriteLine($"Timeout = {Known.TimeSpan}.FromSeconds({N(c.TimeoutSeconds)}),");
        if (c.HasBackoff)
        {
            string max = c.MaxRetryDelaySeconds > 0 ? $"{Known.TimeSpan}.FromSeconds({N(c.MaxRetryDelaySeconds)})" : "null";
            string factor = c.RetryBackoff.ToString("R", CultureInfo.InvariantCulture);
            w.WriteLine($"Backoff = new global::TaskQueue.RetryBackoff({factor}, {max}, {(c.RetryJitter ? "true" : "false")}),");
        }
        if (c.Lock is not null) w.WriteLine($"Lock = {ValueCodecEmitter.Literal(c.Lock)},");
        if (c.RateLimit > 0) w.WriteLine($"RateLimit = new global::TaskQueue.RateLimit({N(c.RateLimit)}, {Known.TimeSpan}.FromSeconds({N(c.RateLimitPeriodSeconds)})),");
    }

    private static void EmitIdentity(SourceWriter w, StubShape s)
    {
        var spec = s.Spec;
        Docs.Summary(w, "The task's stable name, written in every message.");
        w.WriteLine($"public const string Name = {ValueCodecEmitter.Literal(spec.Name)};");
        w.WriteLine();
        string queue = spec.Queue is null ? "null" : ValueCodecEmitter.Literal(spec.Queue);
        string retries = spec.Retries.ToString(CultureInfo.InvariantCulture);
        string delay = spec.RetryDelaySeconds.ToString(CultureInfo.InvariantCulture);
        string create = $"new {Known.TaskDescriptor}(Name, {queue}, {retries}, {Known.TimeSpan}.FromSeconds({delay}), Invoke)";
        string parts = spec.Periodic is null ? "retry policy, invoker and argument renderer" : "retry policy, invoker, argument renderer and schedule";
        Docs.Summary(w, $"The task's descriptor: its name, queue, {parts}, announced to <see cref=\"{Known.TaskCatalog}.Registered\"/>.");
        w.WriteLine($"public static {Known.TaskDescriptor} Descriptor {{ get; }} = {create}");
        w.OpenBlock();
        w.WriteLine("ArgumentsRenderer = RenderArguments,");
        if (spec.Priority != 0) w.WriteLine($"Priority = {spec.Priority.ToString(CultureInfo.InvariantCulture)},");
        EmitControls(w, spec.Controls);
        if (spec.Periodic is { } periodic)
        {
            string zone = periodic.TimeZone is null ? "null" : ValueCodecEmitter.Literal(periodic.TimeZone);
            w.WriteLine($"Periodic = new {Known.PeriodicSchedule}({ValueCodecEmitter.Literal(periodic.Cron)}, {zone}, {Known.MissedRunPolicy}.{periodic.MissedRuns}),");
        }
        w.CloseBlock(";");
        w.WriteLine();
        if (spec.Periodic is { } schedule)
        {
            EmitSchedule(w, schedule);
        }
        Docs.Summary(w, $"The stubs bound to <paramref name=\"app\"/> instead of <see cref=\"{Known.TaskApp}.Current\"/>.");
        Docs.Param(w, "app", "The app to enqueue on, schedule on and revoke in.");
        w.WriteLine($"public static Bound With({Known.TaskApp} app) => new Bound(app);");
        w.WriteLine();
    }

    /// <summary>A periodic task's <c>Periodic</c> and <c>NextRun</c>: its schedule as the consumers' tickers read it.</summary>
    private static void EmitSchedule(SourceWriter w, PeriodicSpec periodic)
    {
        string missed = periodic.MissedRuns == "Skip" ? "missed runs are skipped" : $"missed runs: <see cref=\"{Known.MissedRunPolicy}.{periodic.MissedRuns}\"/>";
        Docs.Summary(w, $"The task's schedule: <c>{Docs.Escape(periodic.Cron)}</c> in {(periodic.TimeZone is { } zone ? $"<c>{Docs.Escape(zone)}</c>" : "UTC")}, {missed}. Every consumer's ticker enqueues the task at its occurrences, once each.");
        w.WriteLine($"public static {Known.PeriodicSchedule} Periodic => Descriptor.Periodic!;");
        w.WriteLine();
        Docs.Summary(w, "When the ticker next enqueues the task: the first occurrence of <see cref=\"Periodic\"/> strictly after <paramref name=\"after\"/>.");
        Docs.Param(w, "after", "The moment to look from; now when null.");
        Docs.Returns(w, "The occurrence, or null when the schedule has none.");
        w.WriteLine("/// <exception cref=\"global::System.FormatException\">The time zone is not known on this machine.</exception>");
        w.WriteLine($"public static {Known.DateTimeOffset}? NextRun({Known.DateTimeOffset}? after = null)");
        w.Indentation++;
        w.WriteLine($"=> Periodic.GetNextOccurrence(after ?? {Known.DateTimeOffset}.UtcNow);");
        w.Indentation--;
        w.WriteLine();
    }

    private static void EmitCallLocal(SourceWriter w, StubShape s)
    {
        var spec = s.Spec;
        bool takesToken = spec.Parameters.Any(p => p.Role == ParameterRole.Cancellation);
        Docs.Summary(w, spec.Parameters.Any(p => p.Role == ParameterRole.Service)
            ? "Runs the task now, in this process, and returns what the method returns; nothing is enqueued. Its [FromServices] parameters come from the services of <see cref=\"global::TaskQueue.TaskApp.Current\"/> (no scope is made)."
            : "Runs the task now, in this process, and returns what the method returns; nothing is enqueued.");
        Docs.PayloadParams(w, s);
        if (takesToken) Docs.CancellationParam(w, "Passed to the method.");
        string parameters = StubShape.Join(s.PayloadDeclarations, takesToken ? Known.CancellationToken + " cancellationToken = default" : "");
        string arguments = string.Join(", ", spec.Parameters.Select(p => p.Role switch
        {
            ParameterRole.Context => $"{Known.TaskContext}.ForLocalCall({s.Member("Name")})",
            ParameterRole.Cancellation => "cancellationToken",
            ParameterRole.Service => $"{Known.TaskContext}.GetLocalService<{p.TypeName}>({s.Member("Name")}, {ValueCodecEmitter.Literal(p.Name)})",
            _ => Identifiers.Escape(p.Name),
        }));
        w.WriteLine($"public static {spec.Return.TypeName} CallLocal({parameters})");
        w.Indentation++;
        w.WriteLine($"=> {spec.ContainingTypeName}.{Identifiers.Escape(spec.MethodName)}({arguments});");
        w.Indentation--;
        w.WriteLine();
    }

    private static void EmitBound(SourceWriter w, StubShape s)
    {
        Docs.Summary(w, "The stubs bound to one <see cref=\"global::TaskQueue.TaskApp\"/>; see <see cref=\"With\"/>.");
        w.OpenBlock("public readonly struct Bound");
        w.WriteLine($"private readonly {Known.TaskApp} app;");
        w.WriteLine();
        w.OpenBlock($"internal Bound({Known.TaskApp} app)");
        w.WriteLine($"this.app = app ?? throw new {Known.ArgumentNullException}(nameof(app));");
        w.CloseBlock();
        w.WriteLine();
        Docs.Summary(w, "The app these stubs act on.");
        w.WriteLine($"public {Known.TaskApp} App => app ?? throw new {Known.InvalidOperationException}(\"This Bound is default; create it with With(app).\");");
        w.WriteLine();
        ClientMembersEmitter.Emit(w, s, bound: true);
        w.CloseBlock();
    }
}
