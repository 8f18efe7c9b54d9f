using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard.Pages;

/// <summary>Stored errors: tasks that failed, with the exception and its stack trace (results expire with the app's result TTL).</summary>
internal static class FailuresPage
{
    public static async Task<Page> RenderAsync(DashboardContext d)
    {
        var failures = await d.App.Operations.FailuresAsync(cancellationToken: d.Aborted).ConfigureAwait(false);
        var shown = failures.Take(d.Settings.PageSize).ToList();
        var list = shown.Count == 0
            ? Markup.Trusted("<p class=\"empty\">No stored failures.</p>")
            : Html.Of($"""
                <table class="grid failures">
                <thead><tr><th>Task</th><th>Error</th><th class="num">Retries left</th></tr></thead>
                <tbody>{Html.Join(shown, f => Html.Of($"""
                    <tr data-task-id="{f.TaskId}">
                    <td>{f.Task ?? "?"}<br><span class="mono muted">{f.TaskId}</span></td>
                    <td><b class="mono">{f.Type}</b>: {f.Message}{Trace(f.TaskId, f.StackTrace)}</td>
                    <td class="num">{f.RetriesLeft}</td>
                    </tr>
                    """))}</tbody>
                </table>
                """);
        return new Page("Failures", Html.Of($"""
            <h1>Failures</h1>
            <section class="card"><h2>Stored errors <span class="count">{failures.Count}</span></h2>{list}</section>
            <p class="muted">A failure is kept as the task's result until it is read or expires; one with retries left was retried.</p>
            """));
    }

    // The id keeps a trace open while the page refreshes itself (the script reopens details by id).
    private static Markup Trace(string taskId, string? trace) => string.IsNullOrEmpty(trace)
        ? Markup.Empty
        : Html.Of($"<details id=\"trace-{taskId}\"><summary>Stack trace</summary><pre class=\"trace\">{trace}</pre></details>");
}
