using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TaskQueue.Generator.Tests.Infrastructure;

namespace TaskQueue.Generator.Tests;

/// <summary>
/// An app registers the tasks of the libraries it references from its own module initializer, so a
/// worker whose tasks live in a library finds them without touching the library first.
/// </summary>
public sealed class ReferencedAssemblyTests
{
    private const string Library = """
        using TaskQueue;

        namespace Shop.Tasks;

        public static class OrderTasks
        {
            [Task]
            public static int Ship(int order) => order;
        }

        internal static class Hidden
        {
            [Task]
            internal static int Audit(int order) => order;
        }
        """;

    private const string App = """
        namespace Shop.Worker;

        /// <summary>A worker with no tasks of its own.</summary>
        public static class Program
        {
            /// <summary>Runs.</summary>
            public static int Main() => 0;
        }
        """;

    [Fact]
    public void An_app_without_tasks_registers_the_tasks_of_a_referenced_library()
    {
        var library = CompileToReference("Shop.Tasks", Library);
        var app = CSharpCompilation.Create("Shop.Worker", [GeneratorHarness.Parse(App, "Program.cs")], [.. GeneratorHarness.References, library],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var (result, output) = GeneratorHarness.Run(app);

        Assert.Empty(result.Diagnostics);
        var dispatch = Assert.Single(result.GeneratedSources, s => s.HintName == "TaskQueue.Dispatch.g.cs").SourceText.ToString();
        string registrar = "global::TaskQueue.Generated." + Parsing.ReferencedTasks.RegistrarName("Shop.Tasks");
        Assert.Contains($"{registrar}.RegisterTasks();", dispatch);
        Assert.DoesNotContain("TaskAssemblyAttribute", dispatch); // the app has no tasks of its own to announce
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void An_assembly_without_tasks_or_task_references_gets_no_dispatch_file()
    {
        var app = CSharpCompilation.Create("Plain", [GeneratorHarness.Parse(App, "Program.cs")], GeneratorHarness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        var (result, _) = GeneratorHarness.Run(app);

        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void Assemblies_whose_names_differ_only_in_punctuation_get_different_registrars()
    {
        Assert.NotEqual(Parsing.ReferencedTasks.RegistrarName("Shop.Tasks"), Parsing.ReferencedTasks.RegistrarName("Shop_Tasks"));
        Assert.StartsWith("TaskDispatch_Shop_Tasks_", Parsing.ReferencedTasks.RegistrarName("Shop.Tasks"));
    }

    /// <summary>Compiles a library with the generator and returns it as a reference, as a NuGet or project reference would give it.</summary>
    private static MetadataReference CompileToReference(string assemblyName, string source)
    {
        var compilation = CSharpCompilation.Create(assemblyName, [GeneratorHarness.Parse(source, "Tasks.cs")], GeneratorHarness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var (result, output) = GeneratorHarness.Run(compilation);
        Assert.Empty(result.Diagnostics);
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }
}
