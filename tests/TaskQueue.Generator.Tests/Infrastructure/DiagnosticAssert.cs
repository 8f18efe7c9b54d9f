using System.Globalization;
using Microsoft.CodeAnalysis;

namespace TaskQueue.Generator.Tests.Infrastructure;

/// <summary>Runs the generator and checks that it reports exactly one diagnostic, where and how expected.</summary>
internal static class DiagnosticAssert
{
    /// <param name="source">The one source file.</param>
    /// <param name="id">The expected id.</param>
    /// <param name="spanText">The source text the diagnostic points at.</param>
    /// <param name="line">Its one-based line.</param>
    /// <param name="message">The exact message.</param>
    /// <param name="severity">The expected severity.</param>
    public static GeneratorRunResult Single(string source, string id, string spanText, int line, string message,
        DiagnosticSeverity severity = DiagnosticSeverity.Error)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Compile(source));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.True(diagnostic.Location.IsInSource, "the diagnostic should point into the source tree");
        Assert.Equal(spanText, diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Equal(line, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        return result;
    }

    /// <summary>No stub for the method with the error (the dispatch table may still list others).</summary>
    public static void NoStubFor(GeneratorRunResult result, string hintName)
        => Assert.DoesNotContain(result.GeneratedSources, s => s.HintName == hintName);
}
