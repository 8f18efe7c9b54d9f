using System.Globalization;

namespace TaskQueue.Dashboard.Rendering;

/// <summary>How times, durations and counts read on the pages.</summary>
internal static class Format
{
    /// <summary>
    /// A moment relative to <paramref name="now"/> ("12 s ago", "in 3 min"), with the exact UTC time
    /// in the element's <c>datetime</c> and tooltip; a dash for none.
    /// </summary>
    public static Markup Time(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } moment) return Markup.Trusted("<span class=\"muted\">—</span>");
        var exact = moment.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        var iso = moment.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        var delta = moment - now;
        string relative = Math.Abs(delta.TotalSeconds) < 1 ? "now" : delta > TimeSpan.Zero ? "in " + Span(delta) : Span(-delta) + " ago";
        return Html.Of($"<time datetime=\"{iso}\" title=\"{exact}\">{relative}</time>");
    }

    /// <summary>A clock time in UTC, "14:03:27 UTC".</summary>
    public static string Clock(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A duration in its largest whole unit: "850 ms", "12 s", "3 min", "5 h", "2 d".</summary>
    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = -span;
        if (span.TotalSeconds < 1) return $"{(int)span.TotalMilliseconds} ms";
        if (span.TotalMinutes < 1) return $"{(int)span.TotalSeconds} s";
        if (span.TotalHours < 1) return $"{(int)span.TotalMinutes} min";
        if (span.TotalDays < 1) return $"{(int)span.TotalHours} h";
        return $"{(int)span.TotalDays} d";
    }

    /// <summary>A count with thousands separators, invariant ("12,345").</summary>
    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
