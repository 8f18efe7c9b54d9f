using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard.Pages;

/// <summary>Dead letters, newest first, with why they could not run; each can be requeued or deleted, or all requeued.</summary>
internal static class DeadLettersPage
{
    public static async Task<Page> RenderAsync(DashboardContext d)
    {
        var letters = await d.App.Operations.DeadLettersAsync(d.Settings.PageSize, d.Aborted).ConfigureAwait(false);
        var counts = await d.App.Storage.CountAsync([], d.Aborted).ConfigureAwait(false);
        var now = await d.NowAsync().ConfigureAwait(false);
        var list = letters.Count == 0
            ? Markup.Trusted("<p class=\"empty\">No dead letters.</p>")
            : Html.Of($"""
                <table class="grid messages">
                <thead><tr><th>Set aside</th><th>Task</th><th>Queue</th><th>Reason</th><th>Arguments</th><th></th></tr></thead>
                <tbody>{Html.Join(letters, l => Html.Of($"""
                    <tr data-dead-letter="{l.Id}" data-task-id="{l.Message.Id}">
                    <td>{Format.Time(l.At, now)}</td><td>{MessageRows.Task(l.Message)}</td><td><a href="{d.QueueLink(l.Message.Queue)}">{l.Message.Queue}</a></td>
                    <td class="reason">{l.Reason}</td><td>{MessageRows.Arguments(l.Message)}</td>
                    <td class="actions">{d.Button("/dead-letters/requeue", "Requeue", "id", l.Id)} {d.Button("/dead-letters/delete", "Delete", "id", l.Id, confirm: "Delete this dead letter for good?", kind: "danger")}</td>
                    </tr>
                    """))}</tbody>
                </table>
                """);
        var all = counts.DeadLetters > 0
            ? d.Button("/dead-letters/requeue-all", "Requeue all", confirm: $"Put all {counts.DeadLetters} dead letters back in their queues?")
            : Markup.Empty;
        var shown = counts.DeadLetters > letters.Count ? Html.Of($" <span class=\"muted\">(the newest {letters.Count} shown)</span>") : Markup.Empty;
        return new Page("Dead letters", Html.Of($"""
            <h1>Dead letters</h1>
            <section class="card"><h2>Newest first <span class="count" data-stat="dead-letters">{Format.Count(counts.DeadLetters)}</span>{shown}</h2><div class="toolbar">{all}</div>{list}</section>
            <p class="muted">A message goes here when it cannot run: it does not decode, its task is unknown, it is too large, or it was handed back too often.</p>
            """));
    }
}
