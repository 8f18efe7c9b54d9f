using System.Text.RegularExpressions;
using TaskQueue.Testing;

namespace TaskQueue.Dashboard.Tests;

/// <summary>The README's dashboard section is the sample's code, and its screenshot is in the repository.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public void Every_line_of_the_dashboard_section_is_in_the_dashboard_sample()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var section = Section().Match(readme);
        Assert.True(section.Success, "README.md has no <!-- dashboard --> ... <!-- /dashboard --> section");
        var sample = Directory.GetFiles(Path.Combine(Repository.Root, "samples", "Dashboard"), "*.cs")
            .SelectMany(File.ReadAllLines).Select(l => l.Trim()).ToHashSet();
        var lines = CodeBlock().Matches(section.Groups[1].Value).SelectMany(b => b.Groups[1].Value.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        var missing = lines.Where(l => !sample.Contains(l)).ToList();
        Assert.True(missing.Count == 0, "README dashboard lines not found in samples/Dashboard:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void The_readme_shows_the_overview_screenshot_the_browser_tests_make()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        Assert.Contains("](docs/dashboard-overview.png)", readme);
        var image = File.ReadAllBytes(Path.Combine(Repository.Root, "docs", "dashboard-overview.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], image[..4]);
    }

    [GeneratedRegex(@"<!-- dashboard -->(.*?)<!-- /dashboard -->", RegexOptions.Singleline)]
    private static partial Regex Section();

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
