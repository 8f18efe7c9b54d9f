using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TaskQueue.Generator.Emitting;
using TaskQueue.Generator.Model;
using TaskQueue.Generator.Parsing;

namespace TaskQueue.Generator;

/// <summary>
/// Generates, for each <c>[Task]</c> and <c>[PeriodicTask]</c> method, a static stub class (enqueue, schedule, call locally,
/// revoke, typed results) with its argument and result code; per assembly, the shared codecs of user
/// types and a module initializer that registers the tasks. This file is the pipeline only: parsing
/// is in <see cref="TaskParser"/>, writing in the emitters.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class TaskGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var tasks = context.SyntaxProvider.ForAttributeWithMetadataName(
            TaskParser.TaskAttributeName,
            static (node, _) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax,
            TaskParser.Parse);
        var periodicTasks = context.SyntaxProvider.ForAttributeWithMetadataName(
            TaskParser.PeriodicTaskAttributeName,
            static (node, _) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax,
            TaskParser.ParsePeriodic);

        // One stream of parse results: the [Task] methods in source order, then the [PeriodicTask] ones,
        // so in a clash of names (TQ0005, TQ0006) between the two kinds the periodic task is the later one.
        // Each result is compared with the one at its position in the previous run, so unchanged tasks
        // stay cached downstream.
        var parsed = tasks.Collect()
            .Combine(periodicTasks.Collect())
            .SelectMany(static (pair, _) => pair.Left.AddRange(pair.Right));

        var specs = parsed
            .Select(static (result, _) => result.Spec)
            .WithTrackingName(TrackingNames.TaskSpecs)
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!);

        var conflicts = specs
            .Select(static (spec, _) => spec.Identity)
            .Collect()
            .Select(static (identities, _) => TaskConflicts.Find(identities))
            .WithTrackingName(TrackingNames.Conflicts);

        var stubs = specs
            .Combine(conflicts)
            .Select(static (pair, _) => TaskConflicts.Loses(pair.Right, pair.Left.MethodKey) ? null : pair.Left)
            .WithTrackingName(TrackingNames.Stubs);
        context.RegisterSourceOutput(stubs, static (output, spec) =>
        {
            if (spec is not null) output.AddSource(spec.HintName, TaskStubEmitter.Emit(spec));
        });

        var winners = specs
            .Collect()
            .Combine(conflicts)
            .Select(static (pair, _) => pair.Left.Where(spec => !TaskConflicts.Loses(pair.Right, spec.MethodKey)).ToImmutableArray());

        // Referenced assemblies with tasks: read from the compilation's references, which rarely
        // change; the result is a list of names, so an edit elsewhere leaves it Unchanged.
        var referenced = context.CompilationProvider
            .Select(static (compilation, ct) => (ReferencedTasks.Find(compilation, ct), compilation.AssemblyName ?? ""))
            .WithTrackingName(TrackingNames.ReferencedTasks);

        var dispatch = winners
            .Select(static (tasks, _) => tasks
                .OrderBy(t => t.Name, System.StringComparer.Ordinal)
                .Select(t => "global::" + t.StubFullName)
                .ToImmutableEquatableArray())
            .Combine(referenced)
            .Select(static (pair, _) => new DispatchSpec(pair.Left, ReferencedTasks.RegistrarName(pair.Right.Item2), pair.Right.Item1))
            .WithTrackingName(TrackingNames.Dispatch);
        context.RegisterSourceOutput(dispatch, static (output, spec) =>
        {
            if (spec.StubTypeNames.Count > 0 || spec.ReferencedRegistrars.Count > 0) output.AddSource(DispatchEmitter.HintName, DispatchEmitter.Emit(spec));
        });

        var codecs = winners
            .Select(static (tasks, _) => MergeObjects(tasks))
            .WithTrackingName(TrackingNames.Codecs);
        context.RegisterSourceOutput(codecs, static (output, spec) =>
        {
            if (spec.Objects.Count > 0) output.AddSource(CodecsEmitter.HintName, CodecsEmitter.Emit(spec));
        });

        // Diagnostics take their own output: they hold locations, which move with any edit above a
        // task, so keeping them out of the specs lets the emitters stay cached; this output is cheap
        // and runs fresh each time, with locations in the current syntax trees (so #pragma applies).
        var diagnostics = parsed.Collect().Combine(context.CompilationProvider);
        context.RegisterSourceOutput(diagnostics, static (output, pair) => Report(output, pair.Left, pair.Right));
    }

    private static CodecsSpec MergeObjects(ImmutableArray<TaskSpec> tasks)
    {
        var objects = new SortedDictionary<string, ObjectSpec>(System.StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            foreach (var o in task.Objects)
            {
                objects[o.TypeName] = o;
            }
        }
        return new CodecsSpec(objects.Values.ToImmutableEquatableArray());
    }

    private static void Report(SourceProductionContext output, ImmutableArray<TaskParseResult> results, Compilation compilation)
    {
        var found = results.SelectMany(r => r.Diagnostics)
            .Concat(TaskConflicts.Report(results.Where(r => r.Site is not null).Select(r => r.Site!).ToList()))
            .ToList();
        if (found.Count == 0) return;
        // Trees by path; a path shared by several trees (unnamed ones in tests) maps to none.
        var trees = new Dictionary<string, SyntaxTree?>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            trees[tree.FilePath] = trees.ContainsKey(tree.FilePath) ? null : tree;
        }
        foreach (var diagnostic in found)
        {
            trees.TryGetValue(diagnostic.Location.FilePath, out var tree);
            output.ReportDiagnostic(diagnostic.ToDiagnostic(tree));
        }
    }
}
