using TaskQueue.Dashboard.Rendering;
using TaskQueue.Operations;

namespace TaskQueue.Dashboard.Pages;

/// <summary>The overview: totals, the chart of the last hour, and every queue with its depth and rates.</summary>
internal static class OverviewPage
{
    public static async Task<Page> RenderAsync(DashboardContext d)
    {
        var operations = d.App.Operations;
        var stats = await operations.StatisticsAsync(d.Aborted).ConfigureAwait(false);
        var workers = await operations.WorkersAsync(d.Aborted).ConfigureAwait(false);
        var queues = await operations.QueuesAsync(stats, workers, d.Aborted).ConfigureAwait(false);
        var counts = await d.App.Storage.CountAsync([], d.Aborted).ConfigureAwait(false);
        long Hour(Func<StatCounts, long> pick) => stats.Queues.Sum(q => pick(q.LastHour));

        var tiles = Html.Concat(
            Tile("queued", "Waiting", queues.Sum(q => q.Depth), "in all queues"),
            Tile("scheduled", "Scheduled", counts.Scheduled, "waiting for their time", d.Link("/scheduled")),
            Tile("in-flight", "Taken", counts.InFlight, "held by workers now", d.Link("/workers")),
            Tile("workers", "Consumers", workers.Count, $"{workers.Sum(w => w.Workers)} workers", d.Link("/workers")),
            Tile("succeeded", "Succeeded", Hour(c => c.Succeeded), "last hour"),
            Tile("failed", "Failed", Hour(c => c.Failed), "last hour", d.Link("/failures"), Hour(c => c.Failed) > 0 ? "bad" : ""),
            Tile("dead-letters", "Dead letters", counts.DeadLetters, "set aside", d.Link("/dead-letters"), counts.DeadLetters > 0 ? "bad" : ""));

        var rows = Html.Join(queues, q => Html.Of($"""
            <tr data-queue="{q.Name}">
            <td><a href="{d.QueueLink(q.Name)}">{q.Name}</a></td>
            <td class="num" data-stat="depth">{Format.Count(q.Depth)}</td>
            <td class="num" data-stat="oldest">{(q.OldestWaiting is { } w ? Format.Span(w) : "—")}</td>
            <td class="num" data-stat="enqueued-minute">{Format.Count(q.LastMinute.Enqueued)}</td>
            <td class="num" data-stat="succeeded-minute">{Format.Count(q.LastMinute.Succeeded)}</td>
            <td class="num" data-stat="failed-minute">{Format.Count(q.LastMinute.Failed)}</td>
            <td class="num" data-stat="enqueued-hour">{Format.Count(q.LastHour.Enqueued)}</td>
            <td class="num" data-stat="succeeded-hour">{Format.Count(q.LastHour.Succeeded)}</td>
            <td class="num" data-stat="failed-hour">{Format.Count(q.LastHour.Failed)}</td>
            <td class="num" data-stat="retried-hour">{Format.Count(q.LastHour.Retried)}</td>
            <td class="num" data-stat="dead-lettered-hour">{Format.Count(q.LastHour.DeadLettered)}</td>
            </tr>
            """));
        var table = queues.Count == 0
            ? Markup.Trusted("<p class=\"empty\">No queues yet: none of this app's tasks has a queue, and no worker serves one.</p>")
            : Html.Of($"""
                <table class="grid queues">
                <thead>
                <tr><th rowspan="2">Queue</th><th rowspan="2" class="num">Waiting</th><th rowspan="2" class="num">Oldest</th><th colspan="3" class="group">Last minute</th><th colspan="5" class="group">Last hour</th></tr>
                <tr><th class="num">Enqueued</th><th class="num">Succeeded</th><th class="num">Failed</th><th class="num">Enqueued</th><th class="num">Succeeded</th><th class="num">Failed</th><th class="num">Retried</th><th class="num">Dead</th></tr>
                </thead>
                <tbody>{rows}</tbody>
                </table>
                """);
        return new Page("Overview", Html.Of($"""
            <h1>Overview</h1>
            <section class="tiles">{tiles}</section>
            <section class="card"><h2>Last hour</h2>{Chart.Render(stats.LastHourByMinute)}</section>
            <section class="card"><h2>Queues</h2>{table}</section>
            <p class="muted">Counters reach storage every few seconds from each process; read at {Format.Clock(stats.Now)}.</p>
            """));
    }

    private static Markup Tile(string key, string label, long value, string note, string? link = null, string kind = "")
    {
        var number = Html.Of($"<span class=\"value\">{Format.Count(value)}</span>");
        var shown = link is null ? number : Html.Of($"<a href=\"{link}\">{number}</a>");
        return Html.Of($"<div class=\"tile {kind}\" data-total=\"{key}\"><span class=\"label\">{label}</span>{shown}<span class=\"note\">{note}</span></div>");
    }
}
