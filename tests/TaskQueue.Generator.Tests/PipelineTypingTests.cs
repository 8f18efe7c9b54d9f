using Microsoft.CodeAnalysis;
using TaskQueue.Generator.Tests.Infrastructure;

namespace TaskQueue.Generator.Tests;

/// <summary>
/// A pipeline's next step, a chord's callback and an error step are typed by their first parameter: one that cannot
/// take what comes before it does not compile, and one that can compiles without a warning.
/// </summary>
public sealed class PipelineTypingTests
{
    private const string Tasks = """
        using System.Collections.Generic;
        using TaskQueue;
        using TaskQueue.Messages;

        namespace Beans;

        public static class BeanTasks
        {
            [Task] public static int Count(string field) => field.Length;
            [Task] public static string Label(int n, string unit) => $"{n} {unit}";
            [Task] public static int Sum(int[] counts) => 0;
            [Task] public static int SumList(List<int> counts) => 0;
            [Task] public static void Alert(TaskError error) { }
            [Task] public static void Tick() { }
        }
        """;

    private static IReadOnlyList<Diagnostic> Problems(string use)
    {
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compile(Tasks, $$"""
            using TaskQueue;

            namespace Beans;

            public static class Use
            {
                public static object Build() => {{use}};
            }
            """));
        return output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1591").ToList();
    }

    [Theory]
    [InlineData("Count.S(\"north\").Then(Label.Step(\"beans\"))")]
    [InlineData("Count.S(\"north\").Then(Label.Step(\"beans\")).Then(Count.Step()).Error(Alert.Step())")]
    [InlineData("Count.S(\"north\").Then(Tick.S())")]
    [InlineData("Count.Map([\"a\", \"b\"]).Then(Sum.Step())")]
    [InlineData("TaskGroup.Of(Count.S(\"a\"), Count.S(\"b\")).Then(SumList.Step()).Error(Alert.Step())")]
    public void A_step_that_takes_what_comes_before_it_compiles(string use)
        => Assert.Empty(Problems(use));

    [Theory]
    [InlineData("Count.S(\"north\").Then(Count.Step())", "CS1503")]
    [InlineData("Label.S(1, \"g\").Then(Label.Step(\"beans\"))", "CS1503")]
    [InlineData("Count.S(\"north\").Error(Label.Step(\"x\"))", "CS1503")]
    [InlineData("Label.Map([(1, \"g\")]).Then(Sum.Step())", "CS1503")]
    [InlineData("TaskGroup.OfAny(Count.S(\"a\"), Label.S(1, \"b\")).Then(Sum.Step())", "CS1503")]
    public void A_step_that_cannot_take_what_comes_before_it_does_not_compile(string use, string error)
    {
        var problems = Problems(use);
        Assert.Contains(problems, d => d.Id == error && d.Severity == DiagnosticSeverity.Error);
    }
}
