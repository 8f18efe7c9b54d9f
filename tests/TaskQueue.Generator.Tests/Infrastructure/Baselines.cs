using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;

namespace TaskQueue.Generator.Tests.Infrastructure;

/// <summary>
/// Compares generated files with the committed baselines in <c>Baselines/{Case}/{HintName}.txt</c>.
/// New output is accepted only when <c>TASKQUEUE_UPDATE_BASELINES=1</c>, which rewrites the case's
/// baselines and deletes stale ones.
/// </summary>
internal static class Baselines
{
    public const string UpdateVariable = "TASKQUEUE_UPDATE_BASELINES";
    public const string VersionPlaceholder = "%VERSION%";

    private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    public static void Verify(string caseName, IEnumerable<GeneratedSourceResult> sources)
    {
        string directory = Path.Combine(SourceDirectory(), "Baselines", caseName);
        var actual = sources.ToDictionary(s => s.HintName + ".txt", s => Normalize(s.SourceText.ToString()));
        if (Updating)
        {
            Write(directory, actual);
            return;
        }
        var expectedFiles = Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.txt").Select(Path.GetFileName).OfType<string>().ToHashSet()
            : [];
        var missing = actual.Keys.Except(expectedFiles).Order().ToList();
        var stale = expectedFiles.Except(actual.Keys).Order().ToList();
        Assert.True(missing.Count == 0 && stale.Count == 0,
            $"Case {caseName}: the generated files differ from the baselines. New: [{string.Join(", ", missing)}]; " +
            $"no longer generated: [{string.Join(", ", stale)}]. Run with {UpdateVariable}=1 to accept.");
        foreach (var (file, text) in actual)
        {
            string expected = File.ReadAllText(Path.Combine(directory, file));
            if (expected != text)
            {
                Assert.Fail($"Case {caseName}, {file}: {FirstDifference(expected, text)}. Run with {UpdateVariable}=1 to accept the new output.");
            }
        }
    }

    private static void Write(string directory, Dictionary<string, string> files)
    {
        Directory.CreateDirectory(directory);
        foreach (var stale in Directory.GetFiles(directory, "*.txt").Where(f => !files.ContainsKey(Path.GetFileName(f))))
        {
            File.Delete(stale);
        }
        foreach (var (file, text) in files)
        {
            File.WriteAllText(Path.Combine(directory, file), text, new UTF8Encoding(false));
        }
    }

    private static string Normalize(string text)
        => text.Replace("\r\n", "\n").Replace($"\"{Emitting.Known.GeneratorVersion}\"", $"\"{VersionPlaceholder}\"");

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string? left = i < e.Length ? e[i] : null, right = i < a.Length ? a[i] : null;
            if (left != right)
            {
                return $"first difference at line {i + 1}:\n  expected: {left ?? "<end of file>"}\n  actual:   {right ?? "<end of file>"}";
            }
        }
        return "the texts differ";
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
