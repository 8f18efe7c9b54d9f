using System.Net;
using PuppeteerSharp;
using TaskQueue.Testing;
using Xunit.Abstractions;

namespace TaskQueue.Dashboard.Tests.Browser;

/// <summary>
/// The dashboard in headless Chromium, against a real server whose hosted worker runs the tasks on
/// Redis. Every test leaves a screenshot (see <see cref="Screenshots"/>).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserTests(RedisServerFixture redis, ChromiumFixture chromium, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [BrowserFact]
    public async Task The_overview_shows_the_right_counts_after_tasks_run_and_updates_itself()
    {
        await using var server = await DashboardServer.StartAsync(redis);
        var app = server.App;
        await using var page = await chromium.NewPageAsync();
        Assert.Equal(HttpStatusCode.OK, (await page.GoToAsync(server.Url("/taskqueue/"))).Status);
        // Gone if the page were reloaded: what follows must come from the page's own refreshes.
        await page.EvaluateExpressionAsync("window.loadedOnce = true");

        string key = DashboardTasks.NewKey();
        var marks = await Mark.With(app).EnqueueManyAsync(Enumerable.Range(0, 12).Select(i => $"{key}-{i}"));
        var mails = await SendMail.With(app).EnqueueManyAsync(["ada@example.com", "grace@example.com", "alan@example.com", "edsger@example.com", "barbara@example.com"]);
        var explosions = new[] { await Explode.With(app).EnqueueAsync("the oven caught fire"), await Explode.With(app).EnqueueAsync("out of flour") };
        await BuildReport.With(app).EnqueueManyAsync(["daily", "weekly", "monthly", "yearly"]);
        foreach (var to in new[] { "later@example.com", "tomorrow@example.com", "never@example.com" })
        {
            await SendMail.With(app).ScheduleAsync(to, delay: TimeSpan.FromHours(1));
        }
        foreach (var mark in marks) await mark.GetAsync(timeout: Wait);
        foreach (var mail in mails) await mail.GetAsync(timeout: Wait);
        foreach (var explosion in explosions) await Assert.ThrowsAsync<TaskFailedException>(async () => await explosion.GetAsync(preserve: true, timeout: Wait));

        var expected = new Dictionary<string, string>
        {
            ["tr[data-queue='default'] [data-stat='succeeded-hour']"] = "12",
            ["tr[data-queue='default'] [data-stat='failed-hour']"] = "2",
            ["tr[data-queue='default'] [data-stat='enqueued-hour']"] = "14",
            ["tr[data-queue='mail'] [data-stat='succeeded-hour']"] = "5",
            ["tr[data-queue='reports'] [data-stat='depth']"] = "4",
            ["tr[data-queue='default'] [data-stat='depth']"] = "0",
            ["[data-total='queued'] .value"] = "4",
            ["[data-total='scheduled'] .value"] = "3",
            ["[data-total='workers'] .value"] = "1",
            ["[data-total='succeeded'] .value"] = "17",
            ["[data-total='failed'] .value"] = "2",
            ["[data-total='dead-letters'] .value"] = "0",
        };
        Dictionary<string, string?> shown = [];
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                foreach (var selector in expected.Keys) shown[selector] = await TextAsync(page, selector);
                return expected.All(e => shown[e.Key] == e.Value);
            }, "the overview to show the runs", Wait);
        }
        finally
        {
            output.WriteLine(string.Join("\n", shown.Select(s => $"{s.Key}: {s.Value} (expected {expected[s.Key]})")));
        }
        Assert.True(await page.EvaluateExpressionAsync<bool>("window.loadedOnce === true"), "the page updated itself without a reload");
        Assert.StartsWith("live", await TextAsync(page, "#live"));
        Assert.Equal(60, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('svg.chart title').length"));

        var shot = await Screenshots.SaveAsync(page, "dashboard-overview", output);
        Screenshots.UpdateDocs(shot, "dashboard-overview.png", output);
    }

    [BrowserFact]
    public async Task A_dead_letter_requeued_from_the_page_runs()
    {
        string key = DashboardTasks.NewKey(), taskId = "";
        // Set aside before the worker starts, as a worker would: taken from its queue, then dead-lettered with a reason.
        await using var server = await DashboardServer.StartAsync(redis,
            beforeWorker: async app => taskId = await DeadLetters.OfMarkAsync(app, key, "set aside by the browser test"));
        await using var page = await chromium.NewPageAsync();
        await page.GoToAsync(server.Url("/taskqueue/dead-letters"));
        var row = $"tr[data-task-id='{taskId}']";
        Assert.Contains("set aside by the browser test", await TextAsync(page, row + " .reason"));
        Assert.Equal(0, DashboardTasks.RunsOf(key));
        await Screenshots.SaveAsync(page, "dead-letter-before-requeue", output);

        await ClickAndWaitAsync(page, row + " form[action$='/dead-letters/requeue'] button");

        Assert.Equal("The dead letter is back in its queue.", await TextAsync(page, ".notice"));
        Assert.Equal("marked " + key, await Mark.With(server.App).Result(taskId).GetAsync(timeout: Wait));
        Assert.Equal(1, DashboardTasks.RunsOf(key));
        await Eventually.UntilAsync(async () => await TextAsync(page, "[data-stat='dead-letters']") == "0", "the page to show no dead letter", Wait);
        await Screenshots.SaveAsync(page, "dead-letter-requeued", output);
    }

    [BrowserFact]
    public async Task A_recurring_record_disabled_from_the_page_stops_firing()
    {
        await using var server = await DashboardServer.StartAsync(redis);
        var app = server.App;
        string key = DashboardTasks.NewKey(), control = DashboardTasks.NewKey();
        var record = Mark.With(app).Recurring(key, schedule: "* * * * * *", label: "every second");
        await record.SaveAsync();
        // A second record on the same schedule that stays enabled: it shows that occurrences keep coming.
        await Mark.With(app).Recurring(control, schedule: "* * * * * *", label: "control, every second").SaveAsync();
        await Eventually.UntilAsync(() => DashboardTasks.RunsOf(key) >= 2, "the record to fire", Wait);

        await using var page = await chromium.NewPageAsync();
        await page.GoToAsync(server.Url("/taskqueue/recurring"));
        var row = $"tr[data-recurring='{record.Id}']";
        Assert.Equal("true", await page.EvaluateFunctionAsync<string>("s => document.querySelector(s).dataset.enabled", row));
        await ClickAndWaitAsync(page, row + " form[action$='/recurring/disable'] button");
        Assert.Equal("Disabled: it will not run until enabled.", await TextAsync(page, ".notice"));
        Assert.Equal("false", await page.EvaluateFunctionAsync<string>("s => document.querySelector(s).dataset.enabled", row));

        var disabled = (await app.Recurring.GetAsync(record.Id))!;
        Assert.False(disabled.Enabled);
        // Runs queued before the disable still run; then none, while the control record fires three more times.
        await Eventually.UntilAsync(() => DashboardTasks.RunsOf(key) >= disabled.RunCount, "the runs queued before the disable to finish", Wait);
        int runs = DashboardTasks.RunsOf(key), controlRuns = DashboardTasks.RunsOf(control);
        await Eventually.UntilAsync(() => DashboardTasks.RunsOf(control) >= controlRuns + 3, "three more runs of the control record", Wait);
        Assert.Equal(runs, DashboardTasks.RunsOf(key));
        Assert.Equal(disabled.RunCount, (await app.Recurring.GetAsync(record.Id))!.RunCount);
        await Screenshots.SaveAsync(page, "recurring-disabled", output);
    }

    [BrowserFact]
    public async Task A_request_from_another_address_without_authorization_is_refused()
    {
        // Kestrel also listens on this machine's own non-loopback address, and Chromium connects to it:
        // the server sees that address as the peer, as it would see another machine's.
        var address = DashboardServer.NonLoopbackAddress();
        Assert.True(address is not null, "this machine has no non-loopback IPv4 address; the forwarded-headers test below covers the proxy case");
        await using var server = await DashboardServer.StartAsync(redis, external: address);
        await using var page = await chromium.NewPageAsync();

        var refused = await page.GoToAsync(new Uri(server.External!, "/taskqueue/").ToString());
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("serves requests from this machine only", await TextAsync(page, "body"));
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('main, form, table').length"));
        await Screenshots.SaveAsync(page, "refused-from-another-address", output);

        Assert.Equal(HttpStatusCode.OK, (await page.GoToAsync(server.Url("/taskqueue/"))).Status);
    }

    [BrowserFact]
    public async Task A_request_a_trusted_proxy_forwards_for_another_machine_is_refused()
    {
        // The app trusts its loopback proxy (UseForwardedHeaders), which says the client is 203.0.113.7.
        await using var server = await DashboardServer.StartAsync(redis, forwardedHeaders: true);
        await using var page = await chromium.NewPageAsync();
        await page.SetExtraHttpHeadersAsync(new Dictionary<string, string> { ["X-Forwarded-For"] = "203.0.113.7" });

        var refused = await page.GoToAsync(server.Url("/taskqueue/"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("serves requests from this machine only", await TextAsync(page, "body"));
        await Screenshots.SaveAsync(page, "refused-through-a-proxy", output);
    }

    private static Task<string?> TextAsync(IPage page, string selector)
        => page.EvaluateFunctionAsync<string?>("s => { const e = document.querySelector(s); return e ? e.textContent.trim() : null; }", selector);

    /// <summary>Clicks a form's button and waits for the page the post redirects to.</summary>
    private static async Task ClickAndWaitAsync(IPage page, string selector)
    {
        var navigation = page.WaitForNavigationAsync();
        await page.ClickAsync(selector);
        var response = await navigation;
        Assert.Equal(HttpStatusCode.OK, response.Status);
    }
}
