using System.Reflection;
using Microsoft.CodeAnalysis;
using TaskQueue.Generator.Model;
using TaskQueue.Generator.Tests.Infrastructure;

namespace TaskQueue.Generator.Tests;

/// <summary>The pipeline caches: an unrelated edit re-emits nothing, a relevant one re-emits.</summary>
public sealed class IncrementalTests
{
    private static readonly string[] StepNames =
        [TrackingNames.TaskSpecs, TrackingNames.Conflicts, TrackingNames.Stubs, TrackingNames.ReferencedTasks, TrackingNames.Dispatch, TrackingNames.Codecs];

    private const string Source = """
        using System.Collections.Generic;
        using TaskQueue;

        namespace Beans;

        public sealed record Order(string Id, List<string> Items);

        public static class BeanTasks
        {
            [Task(Retries = 3)]
            public static int CountBeans(int num) => num;

            [Task]
            public static int Ship(Order order) => order.Items.Count;

            [PeriodicTask("0 3 * * *", TimeZone = "Europe/Berlin")]
            public static void Backup() { }
        }
        """;

    [Fact]
    public void Adding_a_comment_and_a_non_task_method_keeps_every_step_cached()
    {
        string edited = "// a comment that moves every line below it\n" + Source.Replace(
            "    [Task]\n    public static int Ship",
            "    public static int Helper(int x) => x;\n\n    [Task]\n    public static int Ship");
        Assert.Contains("Helper", edited);

        var runs = RunTwice(Source, edited);

        foreach (string step in StepNames)
        {
            var reasons = Reasons(runs, step);
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
    }

    [Fact]
    public void Changing_a_task_attribute_modifies_its_spec_and_stub()
    {
        var runs = RunTwice(Source, Source.Replace("[Task(Retries = 3)]", "[Task(Retries = 4)]"));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(runs, TrackingNames.TaskSpecs));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(runs, TrackingNames.Stubs));
        Assert.All(Reasons(runs, TrackingNames.Dispatch), r => Assert.NotEqual(IncrementalStepRunReason.Modified, r));
    }

    [Fact]
    public void Changing_a_periodic_tasks_cron_modifies_its_spec_and_stub_only()
    {
        var runs = RunTwice(Source, Source.Replace("\"0 3 * * *\"", "\"0 4 * * *\""));

        Assert.Equal(1, Reasons(runs, TrackingNames.TaskSpecs).Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, Reasons(runs, TrackingNames.Stubs).Count(r => r == IncrementalStepRunReason.Modified));
        Assert.All(Reasons(runs, TrackingNames.Dispatch), r => Assert.NotEqual(IncrementalStepRunReason.Modified, r));
        Assert.Contains("\"0 4 * * *\"", runs.GeneratedSources.Single(s => s.HintName == "Beans.BeanTasks.Backup.g.cs").SourceText.ToString());
    }

    [Fact]
    public void Changing_a_user_type_modifies_the_codecs()
    {
        var runs = RunTwice(Source, Source.Replace("List<string> Items", "List<string> Items, int Priority"));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(runs, TrackingNames.Codecs));
    }

    [Fact]
    public void The_model_holds_no_symbols_syntax_or_compilation()
    {
        Type[] forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel), typeof(Location)];
        var modelTypes = typeof(TaskSpec).Assembly.GetTypes().Where(t => t.Namespace == typeof(TaskSpec).Namespace).ToList();
        Assert.Contains(typeof(TaskSpec), modelTypes);

        var seen = new HashSet<Type>();
        foreach (var type in modelTypes)
        {
            Walk(type, type.Name);
        }

        void Walk(Type type, string path)
        {
            Assert.False(forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} is a {type.Name}, which would keep a compilation alive and defeat caching");
            if (!seen.Add(type) || type.IsPrimitive || type == typeof(string)) return;
            if (type.IsArray) Walk(type.GetElementType()!, path + "[]");
            foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : []) Walk(argument, $"{path}<{argument.Name}>");
            if (type.Namespace != typeof(TaskSpec).Namespace) return;
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                Walk(field.FieldType, $"{path}.{field.Name}");
            }
        }
    }

    private sealed record Runs(GeneratorRunResult Second, IReadOnlyList<GeneratedSourceResult> GeneratedSources);

    private static Runs RunTwice(string before, string after)
    {
        var first = GeneratorHarness.Compile(before);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(first);
        var tree = first.SyntaxTrees.Single();
        var second = first.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(after)));
        var result = driver.RunGenerators(second).GetRunResult().Results.Single();
        Assert.Empty(result.Diagnostics);
        return new Runs(result, result.GeneratedSources);
    }

    private static List<IncrementalStepRunReason> Reasons(Runs runs, string step)
        => runs.Second.TrackedSteps.TryGetValue(step, out var steps)
            ? [.. steps.SelectMany(s => s.Outputs).Select(o => o.Reason)]
            : [];
}
