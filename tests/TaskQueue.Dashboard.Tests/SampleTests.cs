using System.Diagnostics;
using System.Text.RegularExpressions;
using TaskQueue.Testing;

namespace TaskQueue.Dashboard.Tests;

/// <summary>samples/Dashboard as a user starts it: its own process, in memory, its worker running the orders it makes up.</summary>
public sealed partial class SampleTests
{
    [Fact]
    public async Task The_dashboard_sample_runs_its_tasks_and_shows_them()
    {
        // The sample is built with this project (a reference that does not load it: its periodic task would join every test's catalog).
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var folder = Path.Combine(Repository.Root, "samples", "Dashboard", "bin", configuration, "net10.0");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", Path.Combine(folder, "Dashboard.dll"), "--urls", "http://127.0.0.1:0", "--Kitchen:OrdersPerSecond", "5" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var lines = new List<string>();
        void Read(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is not null) lock (lines) lines.Add(e.Data);
        }
        process.OutputDataReceived += Read;
        process.ErrorDataReceived += Read;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            string? url = null;
            await Eventually.UntilAsync(() =>
            {
                lock (lines) url = lines.Select(l => Listening().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value;
                return url is not null || process.HasExited;
            }, "the sample to listen");
            Assert.False(process.HasExited, "the sample exited:\n" + string.Join("\n", lines));

            using var client = new HttpClient { BaseAddress = new Uri(url!) };
            await Eventually.UntilAsync(async () =>
            {
                var html = await client.GetStringAsync("/taskqueue/");
                var succeeded = SucceededInDefault().Match(html);
                return succeeded.Success && int.Parse(succeeded.Groups[1].Value) > 0;
            }, "the sample's overview to count tasks that succeeded");
            Assert.Contains("<title>Overview · Kitchen</title>", await client.GetStringAsync("/taskqueue/"));
            Assert.Contains("count flour", await client.GetStringAsync("/taskqueue/recurring"));
            Assert.Contains("Kitchen.KitchenTasks.SweepFloor", await client.GetStringAsync("/taskqueue/periodic"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    [GeneratedRegex("<tr data-queue=\"default\">[^<]*(?:<td[^>]*>(?:<a [^>]*>)?[^<]*(?:</a>)?</td>\\s*){7}<td class=\"num\" data-stat=\"succeeded-hour\">(\\d+)</td>")]
    private static partial Regex SucceededInDefault();
}
