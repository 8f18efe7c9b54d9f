using System.Globalization;
using Microsoft.AspNetCore.Http;
using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard;

/// <summary>What an action did, carried to the page it returns to as <c>?done=key&amp;n=count</c>.</summary>
/// <param name="Key">One of the keys <see cref="Notices"/> knows.</param>
/// <param name="Count">How many things it did, for actions on many.</param>
internal readonly record struct Notice(string Key, int Count = 0)
{
    public static Notice Gone => new("gone");

    public string ToQuery() => "?done=" + Key + (Count > 0 ? "&n=" + Count.ToString(CultureInfo.InvariantCulture) : "");
}

/// <summary>
/// The sentences a notice shows. Only these: the query string picks one by key and never supplies
/// text, so a crafted link cannot make the dashboard say something of its choosing.
/// </summary>
internal static class Notices
{
    private static readonly Dictionary<string, string> Texts = new(StringComparer.Ordinal)
    {
        ["requeued"] = "The dead letter is back in its queue.",
        ["requeued-all"] = "Dead letters put back in their queues: {0}.",
        ["deleted"] = "Deleted.",
        ["revoked"] = "Revoked: its runs are skipped until it is restored.",
        ["restored"] = "Restored.",
        ["not-revoked"] = "Nothing to restore: it was not revoked.",
        ["paused"] = "Paused: its occurrences pass without a run.",
        ["resumed"] = "Resumed.",
        ["enabled"] = "Enabled.",
        ["disabled"] = "Disabled: it will not run until enabled.",
        ["run"] = "Due now: a worker will run it in a moment.",
        ["gone"] = "Nothing done: it no longer exists.",
    };

    public static Markup Render(IQueryCollection query)
    {
        if (!Texts.TryGetValue(query["done"].ToString(), out var text)) return Markup.Empty;
        int.TryParse(query["n"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int count);
        return Html.Of($"<p class=\"notice\" role=\"status\">{string.Format(CultureInfo.InvariantCulture, text, count)}</p>");
    }
}
