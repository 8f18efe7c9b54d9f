using System.Globalization;

namespace TaskQueue.Load;

/// <summary>The printed result: each figure, and where it has a reference, its ratio to redis-benchmark on the same server.</summary>
internal sealed class Table
{
    private readonly List<(string Name, string Value, string Ratio, string Verdict)> rows = [];

    public void Add(string name, double value, string unit, double? reference = null, string? referenceName = null, double? target = null, string? note = null)
    {
        var shown = unit == "/s" ? value.ToString("N0", CultureInfo.InvariantCulture) + "/s" : value.ToString("0.###", CultureInfo.InvariantCulture) + unit;
        string ratio = "", verdict = note ?? "";
        if (reference is > 0)
        {
            double r = value / reference.Value;
            ratio = $"{r:P0} of {referenceName}";
            if (target is { } t) verdict = (r >= t ? $"meets ≥ {t:P0}" : $"MISSES ≥ {t:P0}") + (note is null ? "" : "; " + note);
        }
        Console.WriteLine($"  {name}: {shown} {ratio}");
        rows.Add((name, shown, ratio, verdict));
    }

    /// <summary>A row whose figure is already written out (several figures in one cell, or a count with its own unit).</summary>
    public void AddText(string name, string shown, string ratio = "", string note = "")
    {
        Console.WriteLine($"  {name}: {shown} {ratio}");
        rows.Add((name, shown, ratio, note));
    }

    /// <summary>The note of a row whose figure has an upper bound as its target: "target ≤ …, met" or "…, missed".</summary>
    public static string AtMost(double value, double limit, string target) => $"target ≤ {target}, {(value <= limit ? "met" : "missed")}";

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine("| measure | TaskQueue | ratio | target |");
        Console.WriteLine("|---|---:|---|---|");
        foreach (var (name, value, ratio, verdict) in rows) Console.WriteLine($"| {Cell(name)} | {Cell(value)} | {Cell(ratio)} | {Cell(verdict)} |");
    }

    /// <summary>A cell's text with its pipes escaped (<c>|start − eta|</c>), so that they do not split the Markdown row.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
