using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard.Pages;

/// <summary>One queue: the messages waiting in it, head first, with their arguments.</summary>
internal static class QueuePage
{
    public static async Task<Page> RenderAsync(DashboardContext d)
    {
        var queue = d.Http.Request.RouteValues["queue"] as string ?? TaskDescriptor.DefaultQueue;
        var pending = await d.App.Operations.PendingAsync(queue, d.Settings.PageSize, d.Aborted).ConfigureAwait(false);
        var depth = await d.App.Storage.QueueLengthAsync(queue, d.Aborted).ConfigureAwait(false);
        var now = await d.NowAsync().ConfigureAwait(false);
        var list = pending.Count == 0
            ? Markup.Trusted("<p class=\"empty\">Nothing is waiting in this queue.</p>")
            : Html.Of($"""
                <table class="grid messages">
                <thead><tr><th class="num">#</th><th>Task</th><th>Arguments</th><th>Enqueued</th><th class="num">Retries</th><th></th></tr></thead>
                <tbody>{Html.Join(pending.Select((m, i) => (m, i)), x => Html.Of($"""
                    <tr data-task-id="{x.m.Id}"><td class="num">{x.i + 1}</td><td>{MessageRows.Task(x.m)}</td><td>{MessageRows.Arguments(x.m)}</td><td>{Format.Time(x.m.CreatedAt, now)}</td><td class="num">{x.m.RetriesLeft}</td><td class="actions">{MessageRows.Revoke(d, x.m)}</td></tr>
                    """))}</tbody>
                </table>
                """);
        var shown = depth > pending.Count ? Html.Of($" <span class=\"muted\">(the first {pending.Count} shown)</span>") : Markup.Empty;
        return new Page("Queue " + queue, Html.Of($"""
            <h1>Queue <span class="mono">{queue}</span></h1>
            <section class="card"><h2>Waiting <span class="count" data-stat="depth">{Format.Count(depth)}</span>{shown}</h2>{list}</section>
            """));
    }
}
