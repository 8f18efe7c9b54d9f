using System.Net;
using TaskQueue.Dashboard.Pages;
using TaskQueue.Operations;

namespace TaskQueue.Dashboard.Tests;

/// <summary>The pages render what the read model holds; the live region and the assets are served as the page script expects.</summary>
public sealed class PageTests
{
    [Theory]
    [InlineData("/taskqueue", "<h1>Overview</h1>")]
    [InlineData("/taskqueue/", "<h1>Overview</h1>")]
    [InlineData("/taskqueue/workers", "<h1>Workers</h1>")]
    [InlineData("/taskqueue/tasks", "DashboardTasks.Mark")]
    [InlineData("/taskqueue/queues/default", "{&quot;text&quot;:&quot;waiting&quot;}")]
    [InlineData("/taskqueue/queues/reports", "Nothing is waiting in this queue.")]
    [InlineData("/taskqueue/scheduled", "{&quot;to&quot;:&quot;ada@example.com&quot;}")]
    [InlineData("/taskqueue/failures", "<h1>Failures</h1>")]
    [InlineData("/taskqueue/dead-letters", "set aside by the test")]
    [InlineData("/taskqueue/periodic", "This app has no periodic tasks.")]
    [InlineData("/taskqueue/recurring", "hourly echo")]
    public async Task Every_page_renders_what_the_app_holds(string path, string expected)
    {
        await using var dashboard = await TestDashboard.StartAsync();
        var app = dashboard.App;
        await DeadLetters.OfMarkAsync(app, DashboardTasks.NewKey(), "set aside by the test");
        await Echo.With(app).EnqueueAsync("waiting");
        await SendMail.With(app).ScheduleAsync("ada@example.com", delay: TimeSpan.FromHours(1));
        await Echo.With(app).Recurring("tick", schedule: "0 * * * *", label: "hourly echo").SaveAsync();

        var response = await dashboard.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("<!doctype html>", html);
        Assert.Contains(expected, html);
    }

    [Fact]
    public async Task The_overview_counts_what_waits_and_what_is_scheduled()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        await Echo.With(dashboard.App).EnqueueManyAsync(["a", "b", "c"]);
        await SendMail.With(dashboard.App).ScheduleAsync("ada@example.com", delay: TimeSpan.FromHours(1));
        var html = await (await dashboard.GetAsync("/taskqueue/")).Content.ReadAsStringAsync();
        Assert.Contains("data-total=\"queued\"><span class=\"label\">Waiting</span><span class=\"value\">3</span>", html);
        Assert.Contains("data-total=\"scheduled\"><span class=\"label\">Scheduled</span><a href=\"/taskqueue/scheduled\"><span class=\"value\">1</span>", html);
        Assert.Matches("<tr data-queue=\"default\">\\s*<td><a href=\"/taskqueue/queues/default\">default</a></td>\\s*<td class=\"num\" data-stat=\"depth\">3</td>", html);
    }

    [Fact]
    public async Task The_page_script_gets_the_live_region_alone()
    {
        await using var dashboard = await TestDashboard.StartAsync(o => o.PollingInterval = TimeSpan.FromSeconds(1));
        var full = await (await dashboard.GetAsync("/taskqueue/workers")).Content.ReadAsStringAsync();
        Assert.Contains("<body data-poll=\"1000\">", full);
        Assert.Contains("<main id=\"content\" data-page=\"workers\">", full);

        var live = await dashboard.GetAsync("/taskqueue/workers", change: r => r.Headers.Add("X-TaskQueue-Live", "1"));
        var region = await live.Content.ReadAsStringAsync();
        Assert.StartsWith("<h1>Workers</h1>", region.TrimStart());
        Assert.DoesNotContain("<html", region);
        Assert.DoesNotContain("<main", region);
    }

    [Fact]
    public async Task The_assets_come_from_the_assembly_with_their_types_and_a_version_in_their_links()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        var html = await (await dashboard.GetAsync("/taskqueue/")).Content.ReadAsStringAsync();
        Assert.Matches("<link rel=\"stylesheet\" href=\"/taskqueue/assets/dashboard.css\\?v=[0-9a-f]{12}\">", html);
        Assert.Matches("<script src=\"/taskqueue/assets/dashboard.js\\?v=[0-9a-f]{12}\" defer></script>", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);

        var css = await dashboard.GetAsync("/taskqueue/assets/dashboard.css");
        Assert.Equal("text/css; charset=utf-8", css.Content.Headers.ContentType?.ToString());
        Assert.Contains("svg.chart", await css.Content.ReadAsStringAsync());
        var js = await dashboard.GetAsync("/taskqueue/assets/dashboard.js");
        Assert.Equal("text/javascript; charset=utf-8", js.Content.Headers.ContentType?.ToString());
        Assert.Contains("X-TaskQueue-Live", await js.Content.ReadAsStringAsync());

        var again = await dashboard.GetAsync("/taskqueue/assets/dashboard.js", change: r => r.Headers.TryAddWithoutValidation("If-None-Match", js.Headers.ETag!.ToString()));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
    }

    [Fact]
    public async Task A_dashboard_mapped_at_the_root_links_from_the_root()
    {
        await using var app = new TaskApp();
        await using var dashboard = await TestDashboard.StartAsync(app: app, pattern: "/");
        var html = await (await dashboard.GetAsync("/dead-letters")).Content.ReadAsStringAsync();
        Assert.Contains("<a href=\"/workers\">Workers</a>", html);
        Assert.Contains("href=\"/assets/dashboard.css?v=", html);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(11, 20)]
    [InlineData(180, 200)]
    [InlineData(4321, 5000)]
    public void The_chart_scale_rounds_up_to_one_two_or_five(long max, long expected) => Assert.Equal(expected, Chart.NiceCeiling(max));

    [Fact]
    public void The_chart_has_a_tooltip_per_minute_and_bars_only_where_something_happened()
    {
        var start = new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
        var points = Enumerable.Range(0, 60).Select(i => new StatPoint(start.AddMinutes(i), StatCounts.Zero)).ToList();
        points[59] = points[59] with { Counts = new StatCounts(Enqueued: 9, Started: 9, Succeeded: 7, Failed: 2, Retried: 0, DeadLettered: 0) };
        var svg = Chart.Render(points).ToString();
        Assert.Equal(60, svg.Split("<title>").Length - 1);
        Assert.Contains("<title>10:59 UTC: 9 enqueued, 7 succeeded, 2 failed, 0 retried, 0 dead-lettered</title>", svg);
        Assert.Equal(1, svg.Split("class=\"ok\"").Length - 1);
        Assert.Equal(1, svg.Split("class=\"bad\"").Length - 1);
        Assert.Contains(">10</text>", svg);
    }
}
