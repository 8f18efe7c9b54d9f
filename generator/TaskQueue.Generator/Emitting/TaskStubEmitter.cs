using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes one task's stub class: its name and descriptor, the client members (static and bound to an
/// app), <c>CallLocal</c>, and the private argument and result code.
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
        w.WriteLine(spec.Name == spec.MethodDisplayName
            ? $"/// The stubs of the task <c>{Docs.Escape(spec.Name)}</c>:"
            : $"/// The stubs of the task <c>{Docs.Escape(spec.Name)}</c>, which runs <c>{Docs.Escape(spec.MethodDisplayName)}</c>:");
        w.WriteLine("/// enqueue and schedule runs, call it in this process, read results, revoke it.");
        w.WriteLine("/// </summary>");
        w.WriteLine("/// <remarks>");
        w.WriteLine($"/// Inside <c>{Docs.Escape(spec.MethodDisplayName.Substring(0, spec.MethodDisplayName.Length - spec.MethodName.Length - 1))}</c> the name <c>{spec.StubName}</c> means the method;");
        w.WriteLine($"/// reach these stubs there as <c>{s.StubTypeName}</c>.");
        w.WriteLine("/// </remarks>");
        w.WriteLine(Known.GeneratedCodeAttribute);
        w.OpenBlock($"{(spec.IsPublic ? "public" : "internal")} static class {Identifiers.Escape(spec.StubName)}");

        EmitIdentity(w, s);
        ClientMembersEmitter.Emit(w, s, bound: false);
        w.WriteLine();
        EmitCallLocal(w, s);
        EmitBound(w, s);
        w.WriteLine();
        InvokerEmitter.Emit(w, s);

        w.CloseBlock();
        if (spec.Namespace is not null) w.CloseBlock();
        return w.ToSourceText();
    }

    private static void EmitIdentity(SourceWriter w, StubShape s)
    {
        var spec = s.Spec;
        Docs.Summary(w, "The task's stable name, written in every message.");
        w.WriteLine($"public const string Name = {ValueCodecEmitter.Literal(spec.Name)};");
        w.WriteLine();
        Docs.Summary(w, $"The task's descriptor: its name, queue, retry policy and invoker, registered in <see cref=\"{Known.TaskRegistry}\"/>.");
        string queue = spec.Queue is null ? "null" : ValueCodecEmitter.Literal(spec.Queue);
        string retries = spec.Retries.ToString(CultureInfo.InvariantCulture);
        string delay = spec.RetryDelaySeconds.ToString(CultureInfo.InvariantCulture);
        w.WriteLine($"public static {Known.TaskDescriptor} Descriptor {{ get; }} = new {Known.TaskDescriptor}(Name, {queue}, {retries}, {Known.TimeSpan}.FromSeconds({delay}), Invoke);");
        w.WriteLine();
        Docs.Summary(w, $"The stubs bound to <paramref name=\"app\"/> instead of <see cref=\"{Known.TaskApp}.Current\"/>.");
        Docs.Param(w, "app", "The app to enqueue on, schedule on and revoke in.");
        w.WriteLine($"public static Bound With({Known.TaskApp} app) => new Bound(app);");
        w.WriteLine();
    }

    private static void EmitCallLocal(SourceWriter w, StubShape s)
    {
        var spec = s.Spec;
        bool takesToken = spec.Parameters.Any(p => p.Role == ParameterRole.Cancellation);
        Docs.Summary(w, "Runs the task now, in this process, and returns what the method returns; nothing is enqueued.");
        Docs.PayloadParams(w, s);
        if (takesToken) Docs.CancellationParam(w, "Passed to the method.");
        string parameters = StubShape.Join(s.PayloadDeclarations, takesToken ? Known.CancellationToken + " cancellationToken = default" : "");
        string arguments = string.Join(", ", spec.Parameters.Select(p => p.Role switch
        {
            ParameterRole.Context => $"{Known.TaskContext}.ForLocalCall({s.Member("Name")})",
            ParameterRole.Cancellation => "cancellationToken",
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
