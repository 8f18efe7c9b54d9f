using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard.Pages;

/// <summary>The consumers alive now, as each describes itself with its heartbeat, and the tasks they run.</summary>
internal static class WorkersPage
{
    public static async Task<Page> RenderAsync(DashboardContext d)
    {
        var workers = await d.App.Operations.WorkersAsync(d.Aborted).ConfigureAwait(false);
        var now = await d.NowAsync().ConfigureAwait(false);
        var running = workers.SelectMany(w => w.Running.Select(r => (Worker: w, Task: r))).OrderBy(x => x.Task.StartedAt).ToList();

        var consumers = workers.Count == 0
            ? Markup.Trusted("<p class=\"empty\">No consumer is running: nothing takes tasks from the queues.</p>")
            : Html.Of($"""
                <table class="grid">
                <thead><tr><th>Name</th><th>Host</th><th class="num">PID</th><th>Queues</th><th class="num">Workers</th><th class="num">Running</th><th>Started</th><th>Seen</th><th>Version</th></tr></thead>
                <tbody>{Html.Join(workers.OrderBy(w => w.Name, StringComparer.Ordinal), w => Html.Of($"""
                    <tr data-consumer="{w.ConsumerId}">
                    <td title="{w.ConsumerId}">{w.Name}</td><td>{w.Host}</td><td class="num">{w.ProcessId}</td><td>{string.Join(", ", w.Queues)}</td>
                    <td class="num">{w.Workers}</td><td class="num">{w.Running.Count}</td><td>{Format.Time(w.StartedAt, now)}</td><td>{Format.Time(w.SeenAt, now)}</td><td>{w.Version}</td>
                    </tr>
                    """))}</tbody>
                </table>
                """);
        var tasks = running.Count == 0
            ? Markup.Trusted("<p class=\"empty\">No task is running.</p>")
            : Html.Of($"""
                <table class="grid">
                <thead><tr><th>Task</th><th>Id</th><th>Queue</th><th>Started</th><th>Consumer</th></tr></thead>
                <tbody>{Html.Join(running, r => Html.Of($"""
                    <tr data-task-id="{r.Task.TaskId}"><td>{r.Task.TaskName}</td><td class="mono">{r.Task.TaskId}</td><td>{r.Task.Queue}</td><td>{Format.Time(r.Task.StartedAt, now)}</td><td>{r.Worker.Name}</td></tr>
                    """))}</tbody>
                </table>
                """);
        return new Page("Workers", Html.Of($"""
            <h1>Workers</h1>
            <section class="card"><h2>Consumers <span class="count">{workers.Count}</span></h2>{consumers}</section>
            <section class="card"><h2>Running now <span class="count">{running.Count}</span></h2>{tasks}</section>
            <p class="muted">Each consumer rewrites its description with its heartbeat, every third of its visibility timeout.</p>
            """));
    }
}
