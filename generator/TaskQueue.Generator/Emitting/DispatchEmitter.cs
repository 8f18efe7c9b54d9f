using Microsoft.CodeAnalysis.Text;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes the assembly's dispatch file. An assembly with tasks gets a public registrar, named for the
/// assembly and marked with <c>[assembly: TaskAssembly(...)]</c> so that assemblies referencing it
/// find it; every assembly with tasks or referencing some gets a module initializer that registers
/// its own and its references' tasks with <c>TaskRegistry</c> when it loads. The consumer then finds
/// tasks by name without reflection, also tasks of a library the app never touched.
/// </summary>
internal static class DispatchEmitter
{
    public const string HintName = "TaskQueue.Dispatch.g.cs";

    public static SourceText Emit(DispatchSpec spec)
    {
        var w = new SourceWriter();
        w.WriteLine(Known.FileHeader);
        w.WriteLine("// Registering an assembly's tasks as it loads is what module initializers are for.");
        w.WriteLine("#pragma warning disable CA2255");
        w.WriteLine();
        string? registrar = spec.StubTypeNames.Count > 0 ? "global::TaskQueue.Generated." + spec.RegistrarName : null;
        if (registrar is not null)
        {
            w.WriteLine($"[assembly: {Known.TaskAssemblyAttribute}(typeof({registrar}))]");
            w.WriteLine();
        }
        w.OpenBlock("namespace TaskQueue.Generated");
        if (registrar is not null)
        {
            Docs.Summary(w, $"Announces this assembly's tasks to <see cref=\"{Known.TaskCatalog}.Registered\"/>. Generated code calls it; apps do not.");
            w.WriteLine(Known.GeneratedCodeAttribute);
            w.WriteLine(Known.EditorBrowsableNever);
            w.OpenBlock($"public static class {spec.RegistrarName}");
            Docs.Summary(w, "Registers every task of this assembly; called when it loads and when an assembly that references it loads.");
            w.OpenBlock("public static void RegisterTasks()");
            foreach (var stub in spec.StubTypeNames)
            {
                w.WriteLine($"{Known.TaskRegistry}.Register({stub}.Descriptor);");
            }
            w.CloseBlock();
            w.CloseBlock();
            w.WriteLine();
        }
        Docs.Summary(w, "Registers the tasks of this assembly and of the assemblies it references when it loads.");
        w.WriteLine(Known.GeneratedCodeAttribute);
        w.OpenBlock("internal static class TaskDispatch");
        Docs.Summary(w, "Runs when the assembly loads.");
        w.WriteLine($"[{Known.ModuleInitializer}]");
        w.OpenBlock("internal static void RegisterTasks()");
        if (registrar is not null) w.WriteLine($"{registrar}.RegisterTasks();");
        foreach (var referenced in spec.ReferencedRegistrars)
        {
            w.WriteLine($"{referenced}.RegisterTasks();");
        }
        w.CloseBlock();
        w.CloseBlock();
        w.CloseBlock();
        return w.ToSourceText();
    }
}
