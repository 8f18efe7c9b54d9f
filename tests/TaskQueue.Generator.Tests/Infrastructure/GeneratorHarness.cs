using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TaskQueue.Generator.Tests.Infrastructure;

/// <summary>Compiles test sources against the TaskQueue runtime and runs the task generator on them.</summary>
internal static class GeneratorHarness
{
    /// <summary>Documentation comments checked, as in a build with GenerateDocumentationFile.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    /// <summary>
    /// A library compilation, nullable enabled and every warning wave on, one tree per source
    /// (Source0.cs, ...). CS1701/CS1702 (reference version unification) are off, as the .NET SDK has them.
    /// </summary>
    public static CSharpCompilation Compile(params string[] sources)
        => CSharpCompilation.Create(
            "Tests.Tasks",
            sources.Select((source, i) => Parse(source, $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999)
                .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

    public static SyntaxTree Parse(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    public static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            [new TaskGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once: its result, and the compilation with the generated files added.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(CSharpCompilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    /// <summary>The generator's diagnostics for <paramref name="sources"/>.</summary>
    public static ImmutableArray<Diagnostic> Diagnostics(params string[] sources) => Run(Compile(sources)).Result.Diagnostics;

    /// <summary>The framework, TaskQueue and MessagePack assemblies this test process runs with.</summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string[] wanted = ["TaskQueue.dll", "MessagePack.dll", "MessagePack.Annotations.dll", "Microsoft.Extensions.Logging.Abstractions.dll"];
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetDirectoryName(p) == framework || wanted.Contains(Path.GetFileName(p)));
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}
