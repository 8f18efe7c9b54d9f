using Microsoft.CodeAnalysis;
using TaskQueue.Generator.Tests.Infrastructure;

namespace TaskQueue.Generator.Tests;

/// <summary>The whole generated output of representative tasks: as the baselines say, and compiling cleanly.</summary>
public sealed class GeneratedOutputTests
{
    public static TheoryData<string> Cases => [.. GoldenCases.All.Keys.Order()];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_files_match_the_baselines(string caseName)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Compile(GoldenCases.All[caseName]));

        Assert.Equal(GoldenCases.ExpectedDiagnostics.GetValueOrDefault(caseName, []), result.Diagnostics.Select(d => d.Id));
        Assert.Null(result.Exception);
        Baselines.Verify(caseName, result.GeneratedSources);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_code_compiles_without_errors_or_warnings(string caseName)
    {
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compile(GoldenCases.All[caseName]));

        // The case sources themselves are undocumented; everything else must be silent.
        var problems = output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Where(d => !(d.Id == "CS1591" && d.Location.SourceTree?.FilePath.StartsWith("Source", StringComparison.Ordinal) == true))
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void A_compilation_without_tasks_gets_no_files()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Compile("namespace Empty; public static class Nothing { public static void Run() { } }"));

        Assert.Empty(result.GeneratedSources);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Task_attribute_resolves_to_TaskQueue_TaskAttribute_next_to_System_Threading_Tasks()
    {
        const string source = """
            using System.Threading.Tasks;
            using TaskQueue;

            namespace Mixed;

            public static class MixedTasks
            {
                [Task]
                public static Task Run(int value) => Task.CompletedTask;

                public static Task<TaskResult> Use() => Task.FromResult(global::Mixed.Run.Enqueue(1));
            }
            """;
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Compile(source));

        Assert.Contains(result.GeneratedSources, s => s.HintName == "Mixed.MixedTasks.Run.g.cs");
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
