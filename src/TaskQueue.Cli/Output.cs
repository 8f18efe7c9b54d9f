using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskQueue.Operations;

namespace TaskQueue.Cli;

/// <summary>JSON text to be written as it is (a message's arguments), not as a string.</summary>
internal sealed record RawJson(string Json)
{
    public override string ToString() => Json;
}

/// <summary>
/// Writes a listing as an aligned text table for people, or with <c>--json</c> as a JSON array of
/// objects (one per row, keyed by the column names) for scripts.
/// </summary>
internal sealed class Output(TextWriter writer, bool json)
{
    /// <summary>Longest cell of a text table; a longer value is cut with an ellipsis (the JSON keeps it whole).</summary>
    private const int MaxCell = 80;

    public TextWriter Writer => writer;

    public bool Json => json;

    /// <summary>Writes rows of <paramref name="columns"/>; an empty listing says so in text and is [] in JSON.</summary>
    public void Table(IReadOnlyList<string> columns, IEnumerable<object?[]> rows, string empty = "(none)")
    {
        var all = rows.ToList();
        if (json)
        {
            WriteJson(w =>
            {
                w.WriteStartArray();
                foreach (var row in all) WriteObject(w, columns, row);
                w.WriteEndArray();
            });
            return;
        }
        if (all.Count == 0)
        {
            writer.WriteLine(empty);
            return;
        }
        var cells = all.Select(r => r.Select(Text).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Max(r => r[i].Length))).ToArray();
        writer.WriteLine(string.Join("  ", columns.Select((c, i) => c.ToUpperInvariant().PadRight(widths[i]))).TrimEnd());
        foreach (var row in cells) writer.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
    }

    /// <summary>Writes one record: <c>name: value</c> lines, or one JSON object.</summary>
    public void Record(IReadOnlyList<string> fields, object?[] values)
    {
        if (json)
        {
            WriteJson(w => WriteObject(w, fields, values));
            return;
        }
        int width = fields.Max(f => f.Length) + 1;
        for (int i = 0; i < fields.Count; i++)
        {
            string value = values[i] switch
            {
                null => "-",
                RawJson raw => raw.Json,
                var v => Text(v) is var t && t.Contains('\n', StringComparison.Ordinal) ? "\n  " + t.ReplaceLineEndings("\n  ") : Full(v),
            };
            writer.WriteLine($"{(fields[i] + ":").PadRight(width)} {value}");
        }
    }

    /// <summary>Says what an action did: a line of text, or <c>{"ok": true, ...}</c>.</summary>
    public void Done(string message, params (string Key, object? Value)[] details)
    {
        if (json)
        {
            Record(["ok", "message", .. details.Select(d => d.Key)], [true, message, .. details.Select(d => d.Value)]);
            return;
        }
        writer.WriteLine(message);
    }

    private void WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(w);
        }
        writer.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static void WriteObject(Utf8JsonWriter w, IReadOnlyList<string> columns, object?[] row)
    {
        w.WriteStartObject();
        for (int i = 0; i < columns.Count; i++)
        {
            w.WritePropertyName(columns[i]);
            WriteValue(w, row[i]);
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case RawJson raw: w.WriteRawValue(raw.Json, skipInputValidation: false); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int n: w.WriteNumberValue(n); break;
            case long n: w.WriteNumberValue(n); break;
            case double d: w.WriteNumberValue(Math.Round(d, 3)); break;
            case DateTimeOffset t: w.WriteStringValue(t); break;
            case TimeSpan t: w.WriteNumberValue(Math.Round(t.TotalSeconds, 3)); break;
            case StatCounts c:
                w.WriteStartObject();
                for (var k = StatKind.Enqueued; k <= StatKind.DeadLettered; k++) w.WriteNumber(KindName(k), c[k]);
                w.WriteEndObject();
                break;
            case IEnumerable<string> list:
                w.WriteStartArray();
                foreach (var item in list) w.WriteStringValue(item);
                w.WriteEndArray();
                break;
            default: w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    internal static string KindName(StatKind kind) => kind switch
    {
        StatKind.Enqueued => "enqueued",
        StatKind.Started => "started",
        StatKind.Succeeded => "succeeded",
        StatKind.Failed => "failed",
        StatKind.Retried => "retried",
        _ => "dead_lettered",
    };

    private static string Full(object? value) => value switch
    {
        null => "-",
        DateTimeOffset t => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        TimeSpan t => Seconds(t),
        IEnumerable<string> list when value is not string => string.Join(",", list),
        bool b => b ? "yes" : "no",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Text(object? value)
    {
        string text = Full(value).ReplaceLineEndings(" ");
        return text.Length <= MaxCell ? text : string.Concat(text.AsSpan(0, MaxCell - 1), "…");
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds < 100
        ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : t.TotalMinutes < 100 ? t.TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture) + " min"
        : t.TotalHours.ToString("0.0", CultureInfo.InvariantCulture) + " h";
}
