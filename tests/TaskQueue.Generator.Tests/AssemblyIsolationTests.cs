using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TaskQueue.Generator.Tests.Infrastructure;

namespace TaskQueue.Generator.Tests;

/// <summary>Each assembly's generated helpers are its own, also when another assembly's are visible.</summary>
public sealed class AssemblyIsolationTests
{
    [Fact]
    public void Two_assemblies_with_tasks_and_InternalsVisibleTo_compile_cleanly()
    {
        // An app and its test project, say: both have tasks, and the app shows its internals to the tests.
        var app = GeneratorHarness.Compile("""
            [assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Tests")]
            namespace App;
            public sealed record Item(int X);
            public static class AppTasks { [TaskQueue.Task] public static int Take(Item item) => item.X; }
            """).WithAssemblyName("App");
        var (_, appOutput) = GeneratorHarness.Run(app);
        using var image = new MemoryStream();
        var emitted = appOutput.Emit(image);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));

        var tests = CSharpCompilation.Create(
            "Tests",
            [GeneratorHarness.Parse("""
                namespace Tests;
                public sealed record Probe(int Y);
                public static class TestTasks { [TaskQueue.Task] public static int Check(Probe probe) => probe.Y + App.Take.CallLocal(new App.Item(1)); }
                """, "Tests.cs")],
            [.. GeneratorHarness.References, MetadataReference.CreateFromImage(image.ToArray())],
            app.Options);
        var (result, testsOutput) = GeneratorHarness.Run(tests);

        Assert.Contains(result.GeneratedSources, s => s.HintName == "TaskQueue.Codecs.g.cs");
        var problems = testsOutput.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1591").ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
