using TaskQueue.Dashboard.Rendering;
using TaskQueue.Operations;

namespace TaskQueue.Dashboard.Pages;

/// <summary>How a message reads in the lists of pending, scheduled and dead-lettered tasks.</summary>
internal static class MessageRows
{
    /// <summary>Arguments longer than this are cut in lists (they can be up to 64 KiB each).</summary>
    internal const int ArgumentsShown = 1000;

    /// <summary>The task's name and id, or why the message does not decode.</summary>
    public static Markup Task(MessageView m) => m.Task is null
        ? Html.Of($"<span class=\"badge bad\">undecodable</span> <span class=\"muted\">{m.Error}</span>")
        : Html.Of($"{m.Task}<br><span class=\"mono muted\">{m.Id}</span>");

    /// <summary>The arguments as JSON, cut to <see cref="ArgumentsShown"/> characters.</summary>
    public static Markup Arguments(MessageView m) => Arguments(m.Arguments);

    /// <inheritdoc cref="Arguments(MessageView)"/>
    public static Markup Arguments(string text)
    {
        if (text.Length <= ArgumentsShown) return Html.Of($"<code class=\"args\">{text}</code>");
        return Html.Of($"<code class=\"args\">{text[..ArgumentsShown]}</code> <span class=\"muted\">… ({Format.Count(text.Length)} characters)</span>");
    }

    /// <summary>A revoke button for the instance, when the message has an id.</summary>
    public static Markup Revoke(DashboardContext d, MessageView m)
        => m.Id is null ? Markup.Empty : d.Button("/instances/revoke", "Revoke", "id", m.Id, confirm: "Skip this run when a worker takes it?", kind: "danger small");
}
