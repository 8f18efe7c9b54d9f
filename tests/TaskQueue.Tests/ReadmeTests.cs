using System.Text.RegularExpressions;

namespace TaskQueue.Tests;

/// <summary>The README's tour is the quickstart's code: every line of it must be in the sample, which the build compiles and CI runs.</summary>
public sealed partial class ReadmeTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TaskQueue.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("TaskQueue.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Every_line_of_the_tour_is_in_the_quickstart_sample()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var tour = TourRegex().Match(readme);
        Assert.True(tour.Success, "README.md has no <!-- tour --> ... <!-- /tour --> section");
        var blocks = CodeBlockRegex().Matches(tour.Groups[1].Value);
        Assert.NotEmpty(blocks);
        var sample = string.Join("\n", Directory.GetFiles(Path.Combine(root, "samples", "Quickstart"), "*.cs").Select(File.ReadAllText))
            .Split('\n').Select(l => l.Trim()).ToHashSet();
        var missing = blocks.SelectMany(b => b.Groups[1].Value.Split('\n'))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && l != "...")
            .Where(l => !sample.Contains(l))
            .ToList();
        Assert.True(missing.Count == 0, "README tour lines not found in samples/Quickstart:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Every_line_of_the_web_section_is_in_the_web_sample()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var web = WebRegex().Match(readme);
        Assert.True(web.Success, "README.md has no <!-- web --> ... <!-- /web --> section");
        var sample = string.Join("\n", Directory.GetFiles(Path.Combine(root, "samples", "WebApp"), "*.cs").Select(File.ReadAllText))
            .Split('\n').Select(l => l.Trim()).ToHashSet();
        var missing = CodeBlockRegex().Matches(web.Groups[1].Value).SelectMany(b => b.Groups[1].Value.Split('\n'))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !sample.Contains(l))
            .ToList();
        Assert.True(missing.Count == 0, "README web lines not found in samples/WebApp:\n" + string.Join("\n", missing));
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
