using System.Text.RegularExpressions;

namespace TaskQueue.Tests;

/// <summary>The README's tour is the quickstart's code: every line of it must be in the sample, which the build compiles and CI runs.</summary>
public sealed partial class ReadmeTests
{
    private static string RepositoryRoot() => TaskQueue.Testing.Repository.Root;

    [Fact]
    public void Every_line_of_the_tour_is_in_the_quickstart_sample()
    {
        var missing = LinesMissingFromSample(TourRegex(), "tour", "Quickstart");
        Assert.True(missing.Count == 0, "README tour lines not found in samples/Quickstart:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Every_line_of_the_web_section_is_in_the_web_sample()
    {
        var missing = LinesMissingFromSample(WebRegex(), "web", "WebApp");
        Assert.True(missing.Count == 0, "README web lines not found in samples/WebApp:\n" + string.Join("\n", missing));
    }

    /// <summary>The lines of the C# blocks in a marked README section that no .cs file of the sample has.</summary>
    private static List<string> LinesMissingFromSample(Regex section, string marker, string sampleFolder)
    {
        var root = RepositoryRoot();
        var match = section.Match(File.ReadAllText(Path.Combine(root, "README.md")));
        Assert.True(match.Success, $"README.md has no <!-- {marker} --> ... <!-- /{marker} --> section");
        var blocks = CodeBlockRegex().Matches(match.Groups[1].Value);
        Assert.NotEmpty(blocks);
        var sample = string.Join("\n", Directory.GetFiles(Path.Combine(root, "samples", sampleFolder), "*.cs").Select(File.ReadAllText))
            .Split('\n').Select(l => l.Trim()).ToHashSet();
        return blocks.SelectMany(b => b.Groups[1].Value.Split('\n'))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && l != "..." && !sample.Contains(l))
            .ToList();
    }

    [Fact]
    public void The_readme_names_the_two_commands_near_the_top()
    {
        var head = string.Join("\n", File.ReadLines(Path.Combine(RepositoryRoot(), "README.md")).Take(30));
        Assert.Contains("dotnet run --project samples/Quickstart", head);
        Assert.Contains("./test.sh", head);
    }

    [GeneratedRegex(@"<!-- tour -->(.*?)<!-- /tour -->", RegexOptions.Singleline)]
    private static partial Regex TourRegex();

    [GeneratedRegex(@"<!-- web -->(.*?)<!-- /web -->", RegexOptions.Singleline)]
    private static partial Regex WebRegex();

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlockRegex();
}
