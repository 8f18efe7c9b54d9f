using PuppeteerSharp;
using TaskQueue.Testing;
using Xunit.Abstractions;

namespace TaskQueue.Dashboard.Tests.Browser;

/// <summary>
/// Where the browser tests leave their screenshots: <c>TASKQUEUE_ARTIFACTS</c> when set (the test
/// command points it at <c>artifacts/screenshots</c>), else a folder beside the test assembly.
/// </summary>
internal static class Screenshots
{
    public const string ArtifactsVariable = "TASKQUEUE_ARTIFACTS";

    /// <summary>Set to 1 to write the overview's screenshot over the README's <c>docs/dashboard-overview.png</c>.</summary>
    public const string UpdateVariable = "TASKQUEUE_UPDATE_SCREENSHOT";

    public static string Folder => Environment.GetEnvironmentVariable(ArtifactsVariable) is { Length: > 0 } folder
        ? folder
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Saves the whole page as <paramref name="name"/>.png and says where in the test's output.</summary>
    public static async Task<string> SaveAsync(IPage page, string name, ITestOutputHelper output)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name + ".png");
        await page.ScreenshotAsync(path, new ScreenshotOptions { FullPage = true });
        output.WriteLine($"screenshot: {path}");
        return path;
    }

    /// <summary>Copies a screenshot to the repository's docs folder when <see cref="UpdateVariable"/> is 1.</summary>
    public static void UpdateDocs(string path, string name, ITestOutputHelper output)
    {
        if (Environment.GetEnvironmentVariable(UpdateVariable) != "1") return;
        var target = Path.Combine(Repository.Root, "docs", name);
        File.Copy(path, target, overwrite: true);
        output.WriteLine($"updated {target}");
    }
}
