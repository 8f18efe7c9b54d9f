using System.Globalization;
using System.Text;
using TaskQueue.Dashboard.Rendering;
using TaskQueue.Operations;

namespace TaskQueue.Dashboard.Pages;

/// <summary>
/// The chart of the last hour as inline SVG, drawn on the server: a bar per minute (succeeded, with
/// failed stacked on top) and a line of what was enqueued. Each minute has a tooltip with its counts.
/// Colours come from the stylesheet (the policy allows no inline style).
/// </summary>
internal static class Chart
{
    private const double Width = 960, Height = 200, Left = 44, Right = 8, Top = 12, Bottom = 26;

    public static Markup Render(IReadOnlyList<StatPoint> points)
    {
        if (points.Count == 0) return Markup.Empty;
        long max = Math.Max(1, points.Max(p => Math.Max(p.Counts.Enqueued, p.Counts.Succeeded + p.Counts.Failed)));
        long top = NiceCeiling(max);
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double slot = plotWidth / points.Count, bar = Math.Max(1, slot * 0.7);
        double Y(long value) => Top + plotHeight - plotHeight * value / top;

        var svg = new StringBuilder();
        var bars = new StringBuilder();
        var line = new StringBuilder();
        for (int i = 0; i < points.Count; i++)
        {
            var (start, c) = (points[i].Start, points[i].Counts);
            double x = Left + i * slot;
            var tip = $"{start.UtcDateTime:HH:mm} UTC: {c.Enqueued} enqueued, {c.Succeeded} succeeded, {c.Failed} failed, {c.Retried} retried, {c.DeadLettered} dead-lettered";
            bars.Append(Html.Of($"<g><title>{tip}</title><rect class=\"hit\" x=\"{N(x)}\" y=\"{N(Top)}\" width=\"{N(slot)}\" height=\"{N(plotHeight)}\"/>"));
            if (c.Succeeded > 0) bars.Append(Html.Of($"<rect class=\"ok\" x=\"{N(x + (slot - bar) / 2)}\" y=\"{N(Y(c.Succeeded))}\" width=\"{N(bar)}\" height=\"{N(Y(0) - Y(c.Succeeded))}\"/>"));
            if (c.Failed > 0)
            {
                bars.Append(Html.Of($"<rect class=\"bad\" x=\"{N(x + (slot - bar) / 2)}\" y=\"{N(Y(c.Succeeded + c.Failed))}\" width=\"{N(bar)}\" height=\"{N(Y(c.Succeeded) - Y(c.Succeeded + c.Failed))}\"/>"));
            }
            bars.Append("</g>");
            line.Append(i == 0 ? "" : " ").Append(N(x + slot / 2)).Append(',').Append(N(Y(c.Enqueued)));
        }
        svg.Append(Html.Of($"<svg class=\"chart\" viewBox=\"0 0 {N(Width)} {N(Height)}\" role=\"img\" aria-label=\"Tasks per minute over the last hour\">"));
        foreach (var fraction in new[] { 0.0, 0.5, 1.0 })
        {
            long value = (long)(top * fraction);
            double y = Y(value);
            svg.Append(Html.Of($"<line class=\"grid\" x1=\"{N(Left)}\" x2=\"{N(Width - Right)}\" y1=\"{N(y)}\" y2=\"{N(y)}\"/><text class=\"axis\" x=\"{N(Left - 6)}\" y=\"{N(y + 4)}\" text-anchor=\"end\">{Format.Count(value)}</text>"));
        }
        svg.Append(bars);
        svg.Append(Html.Of($"<polyline class=\"enqueued\" points=\"{line.ToString()}\"/>"));
        foreach (var (index, label) in new[] { (0, "−60 min"), (points.Count / 2, "−30 min"), (points.Count - 1, "now") })
        {
            svg.Append(Html.Of($"<text class=\"axis\" x=\"{N(Left + index * slot + slot / 2)}\" y=\"{N(Height - 8)}\" text-anchor=\"middle\">{label}</text>"));
        }
        svg.Append("</svg>");
        var legend = Markup.Trusted("<p class=\"legend\"><span class=\"key ok\"></span>succeeded <span class=\"key bad\"></span>failed <span class=\"key enqueued\"></span>enqueued</p>");
        return Html.Concat(Markup.Trusted(svg.ToString()), legend);
    }

    /// <summary>The smallest of 1, 2 or 5 times a power of ten that is at least <paramref name="value"/>.</summary>
    internal static long NiceCeiling(long value)
    {
        for (long power = 1; ; power *= 10)
        {
            foreach (long step in (ReadOnlySpan<long>)[1, 2, 5])
            {
                if (step * power >= value) return step * power;
            }
        }
    }

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
