using System.ComponentModel;
using System.Globalization;
using System.Text.Json;

namespace TaskQueue.Serialization;

/// <summary>
/// The JSON forms of the values that <see cref="Utf8JsonWriter"/> has no single call for, or writes in a
/// way that could throw or grow without bound. Generated argument renderers (<see cref="ArgumentsRenderer"/>)
/// call these; they are public so that each form is one thing, documented here, and not repeated in every
/// generated file. Everything else a renderer writes with the writer's own calls: whole numbers and
/// decimals as JSON numbers, booleans, <see cref="Guid"/> as <c>"d"</c>-format text, <see cref="DateTime"/>
/// and <see cref="DateTimeOffset"/> as ISO 8601 text.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class JsonPrimitives
{
    /// <summary>
    /// The most characters of one string, property name or base64 text written: 16,384. A longer one is cut
    /// there and ends with <c>…</c>. The rendering as a whole is bounded too (64 KiB); this bound keeps one
    /// long value from reaching it alone, so the values before and after it stay readable.
    /// </summary>
    internal const int MaxStringLength = 16 * 1024;

    /// <summary>The mark at the end of a string that was cut.</summary>
    internal const string CutMark = "…";

    /// <summary>A string, cut at <see cref="MaxStringLength"/> characters; null as <c>null</c>.</summary>
    public static void WriteString(Utf8JsonWriter writer, string? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null) writer.WriteNullValue();
        else if (value.Length <= MaxStringLength) writer.WriteStringValue(value);
        else writer.WriteStringValue(Cut(value));
    }

    /// <summary>A property name (a dictionary key), cut at <see cref="MaxStringLength"/> characters.</summary>
    public static void WritePropertyName(Utf8JsonWriter writer, string name)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(name);
        writer.WritePropertyName(name.Length <= MaxStringLength ? name : Cut(name));
    }

    /// <summary>
    /// A <see cref="char"/> as a string of one character. A lone surrogate, which is no text on its own and
    /// which the writer refuses, is written as its code: <c>"\uD800"</c> becomes the text <c>U+D800</c>.
    /// </summary>
    public static void WriteChar(Utf8JsonWriter writer, char value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (char.IsSurrogate(value)) writer.WriteStringValue(string.Create(CultureInfo.InvariantCulture, $"U+{(int)value:X4}"));
        else writer.WriteStringValue(new ReadOnlySpan<char>(in value));
    }

    /// <summary>
    /// A <see cref="double"/> as a JSON number; NaN and the infinities, which JSON numbers cannot say, as the
    /// strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c> (as System.Text.Json's
    /// <c>AllowNamedFloatingPointLiterals</c> writes them).
    /// </summary>
    public static void WriteNumber(Utf8JsonWriter writer, double value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteStringValue(NonFinite(value));
    }

    /// <summary>As <see cref="WriteNumber(Utf8JsonWriter, double)"/>, for a <see cref="float"/> (written in its own shortest form).</summary>
    public static void WriteNumber(Utf8JsonWriter writer, float value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (float.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteStringValue(NonFinite(value));
    }

    /// <summary>A <see cref="TimeSpan"/> as its invariant <c>"c"</c> text, <c>[-][d.]hh:mm:ss[.fffffff]</c>, as System.Text.Json writes it.</summary>
    public static void WriteTimeSpan(Utf8JsonWriter writer, TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString("c", CultureInfo.InvariantCulture));
    }

    /// <summary>An error step's <see cref="Messages.TaskError"/> as an object (type, message, task name, retries left); null as <c>null</c>.</summary>
    public static void WriteTaskError(Utf8JsonWriter writer, Messages.TaskError? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }
        writer.WriteStartObject();
        writer.WritePropertyName("type");
        WriteString(writer, value.Type);
        writer.WritePropertyName("message");
        WriteString(writer, value.Message);
        writer.WritePropertyName("taskName");
        WriteString(writer, value.TaskName);
        writer.WriteNumber("retriesLeft", value.RetriesLeft);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Bytes as base64 text; null as <c>null</c>. Bytes beyond what <see cref="MaxStringLength"/> characters
    /// of base64 hold are left out, and the text ends with <c>…</c>.
    /// </summary>
    public static void WriteBytes(Utf8JsonWriter writer, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null) writer.WriteNullValue();
        else WriteBytes(writer, value.AsSpan());
    }

    /// <summary>As <see cref="WriteBytes(Utf8JsonWriter, byte[])"/>, for bytes in a span.</summary>
    public static void WriteBytes(Utf8JsonWriter writer, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        const int mostBytes = MaxStringLength / 4 * 3;
        if (value.Length <= mostBytes) writer.WriteBase64StringValue(value);
        else writer.WriteStringValue(Convert.ToBase64String(value[..mostBytes]) + CutMark);
    }

    /// <summary>
    /// An enum value: its member's <paramref name="name"/> when it has one (generated code passes the name of
    /// the first member declared with the value), else its number, as a flags combination or a value from a
    /// newer version of the enum.
    /// </summary>
    public static void WriteEnum(Utf8JsonWriter writer, string? name, long value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (name is not null) writer.WriteStringValue(name);
        else writer.WriteNumberValue(value);
    }

    /// <summary>As <see cref="WriteEnum(Utf8JsonWriter, string, long)"/>, for an enum whose underlying type is <see cref="ulong"/>.</summary>
    public static void WriteEnum(Utf8JsonWriter writer, string? name, ulong value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (name is not null) writer.WriteStringValue(name);
        else writer.WriteNumberValue(value);
    }

    private static string Cut(string value)
    {
        // Never between the two halves of a surrogate pair: the writer refuses half a pair.
        int length = char.IsHighSurrogate(value[MaxStringLength - 1]) ? MaxStringLength - 1 : MaxStringLength;
        return string.Concat(value.AsSpan(0, length), CutMark);
    }

    private static string NonFinite(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}
