using System.Buffers;
using System.Text;
using System.Text.Json;

namespace TaskQueue.Messages;

/// <summary>
/// Where a rendering writes its JSON: a buffer that stops the writer once <see cref="Limit"/> bytes are
/// written, by throwing <see cref="FullException"/> from <see cref="Advance"/>, so that a value the size of a
/// whole message never becomes JSON ten times its size. What was written before the stop is closed into
/// valid JSON by <see cref="CutJson"/>.
/// </summary>
internal sealed class CappedJsonOutput(int limit) : IBufferWriter<byte>
{
    /// <summary>The property (or, in an array, the string) that says the JSON was cut.</summary>
    public const string CutMarker = "$truncated";

    private byte[] buffer = new byte[256];
    private int written;

    /// <summary>How many bytes may be written before the writer is stopped.</summary>
    public int Limit { get; } = limit;

    /// <summary>Whether the writer was stopped.</summary>
    public bool Full { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => buffer.AsSpan(0, written);

    public void Advance(int count)
    {
        // After the stop the writer may still flush (its Dispose does); what it flushes is past the limit anyway.
        if (Full) return;
        written += count;
        if (written > Limit) Stop();
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Room(sizeHint).AsMemory(written);

    public Span<byte> GetSpan(int sizeHint = 0) => Room(sizeHint).AsSpan(written);

    private byte[] Room(int sizeHint)
    {
        // The writer asks for room for its next token in one piece (at least 256 bytes, six per character of
        // a string in the worst case); a token that could not fit far past the limit ends the rendering before it.
        if (Full || (long)written + sizeHint > 4L * Limit + 64 * 1024) Stop();
        int needed = written + Math.Max(sizeHint, 1);
        if (needed > buffer.Length) Array.Resize(ref buffer, Math.Max(needed, 2 * buffer.Length));
        return buffer;
    }

    private void Stop()
    {
        Full = true;
        throw new FullException();
    }

    /// <summary>
    /// The JSON written before the stop, cut after its last whole value (a property name goes with its value),
    /// its open arrays and objects closed, and the outermost one marked: <c>"$truncated":true</c> as the last
    /// property of an object, <c>"$truncated"</c> as the last element of an array.
    /// </summary>
    public string CutJson()
    {
        var prefix = WrittenSpan[..Math.Min(written, Limit)];
        var open = new List<JsonTokenType>();
        int end = 0;
        bool endsWithStart = false;
        try
        {
            // Not the final block: a token that the cut split (a number, a string) does not count as read.
            var reader = new Utf8JsonReader(prefix, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { MaxDepth = 4096 }));
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        open.Add(reader.TokenType);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        open.RemoveAt(open.Count - 1);
                        break;
                }
                end = (int)reader.BytesConsumed;
                endsWithStart = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray;
            }
        }
        catch (JsonException)
        {
            // Not JSON: a writer with validation off wrote it. Nothing of it is kept.
            end = 0;
        }
        if (end == 0 || (open.Count == 0 && end < prefix.Length))
        {
            return $"{{\"{CutMarker}\":true}}";
        }
        var json = new StringBuilder(Encoding.UTF8.GetString(prefix[..end]), end + open.Count + 20);
        for (int i = open.Count - 1; i > 0; i--)
        {
            json.Append(open[i] == JsonTokenType.StartObject ? '}' : ']');
        }
        if (open.Count > 0)
        {
            // The outermost container is empty only when the cut came right after its opening.
            string separator = open.Count == 1 && endsWithStart ? "" : ",";
            json.Append(open[0] == JsonTokenType.StartObject ? $"{separator}\"{CutMarker}\":true}}" : $"{separator}\"{CutMarker}\"]");
        }
        return json.ToString();
    }

    /// <summary>Thrown through the rendering when the output is full; caught where the rendering started.</summary>
    public sealed class FullException : Exception
    {
        public FullException()
            : base("the JSON reached its size limit")
        {
        }
    }
}
