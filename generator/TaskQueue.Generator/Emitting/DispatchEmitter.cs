using Microsoft.CodeAnalysis.Text;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes the assembly's dispatch table: a module initializer that registers every task's
/// descriptor in <c>TaskRegistry</c> when the assembly loads, so the consumer finds tasks by name
/// without reflection.
/// </summary>
internal static class DispatchEmitter
{
    public const string HintName = "TaskQueue.Dispatch.g.cs";

    public static SourceText Emit(DispatchSpec spec)
    {
        var w = new SourceWriter();
        w.WriteLine(Known.FileHeader);
        w.WriteLine("// A library registering its own tasks at load is what module initializers are for.");
        w.WriteLine("#pragma warning disable CA2255");
        w.WriteLine();
        w.OpenBlock("namespace TaskQueue.Generated");
        Docs.Summary(w, $"Registers this assembly's tasks in <see cref=\"{Known.TaskRegistry}\"/> when it loads.");
        w.WriteLine(Known.GeneratedCodeAttribute);
        w.OpenBlock("internal static class TaskDispatch");
        Docs.Summary(w, "Registers every task's descriptor.");
        w.WriteLine($"[{Known.ModuleInitializer}]");
        w.OpenBlock("internal static void RegisterTasks()");
        foreach (var stub in spec.StubTypeNames)
        {
            w.WriteLine($"{Known.TaskRegistry}.Register({stub}.Descriptor);");
        }
        w.CloseBlock();
        w.CloseBlock();
        w.CloseBlock();
        return w.ToSourceText();
    }
}
