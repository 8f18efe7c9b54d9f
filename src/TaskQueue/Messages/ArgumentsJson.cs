using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TaskQueue.Serialization;

namespace TaskQueue.Messages;

/// <summary>
/// Renders a message's arguments as JSON for people to read (<see cref="TaskDescriptor.RenderArguments"/>),
/// trying in turn: the task's generated renderer; the typeless rendering of <see cref="MessagePackJson"/>,
/// under the renderer's error when there was one; and, for bytes that are no MessagePack at all,
/// <c>{"$error":"...","$length":n,"$base64":"..."}</c>. Nothing it is given makes it throw, and what it
/// returns is one JSON object of at most about <see cref="MaxLength"/> bytes.
/// </summary>
internal static class ArgumentsJson
{
    /// <summary>The most UTF-8 bytes of JSON kept; a longer rendering is cut (see <see cref="CappedJsonOutput.CutJson"/>).</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>
    /// Non-ASCII text as it is, for people to read; quotes, backslashes and control characters escaped.
    /// The text is JSON, not HTML: a page that shows it must encode it as it would any other text.
    /// </summary>
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Render(ArgumentsRenderer? renderer, ReadOnlyMemory<byte> arguments)
    {
        string? rendererError = null;
        if (renderer is not null && TryRender(renderer, arguments, out string json, out rendererError))
        {
            return json;
        }
        ArgumentsRenderer typeless = (bytes, writer) => MessagePackJson.WriteArguments(bytes, writer, rendererError);
        if (TryRender(typeless, arguments, out json, out string? typelessError))
        {
            return json;
        }
        return Unreadable(rendererError ?? typelessError!, arguments);
    }

    private static bool TryRender(ArgumentsRenderer render, ReadOnlyMemory<byte> arguments, out string json, out string? error)
    {
        var output = new CappedJsonOutput(MaxLength);
        int depth = -1;
        error = null;
        try
        {
            // Disposed inside the try: its last flush may be what fills the output.
            using var writer = new Utf8JsonWriter(output, Options);
            render(arguments, writer);
            writer.Flush();
            depth = writer.CurrentDepth;
        }
        catch (Exception e) when (!output.Full)
        {
            // A renderer decodes user types, running their constructors: any exception says "not readable this way".
            error = e.Message;
        }
        catch (Exception)
        {
            // The output filled up, and what was written before that stands (also when a renderer caught the
            // stop and failed after it).
        }
        if (output.Full)
        {
            json = output.CutJson();
            return true;
        }
        if (error is null && (depth != 0 || output.WrittenSpan.IsEmpty))
        {
            error = "the renderer did not write a whole JSON value";
        }
        json = error is null ? Encoding.UTF8.GetString(output.WrittenSpan) : "";
        return error is null;
    }

    /// <summary>Bytes no rendering reads: the error, how many bytes there are, and (the first of) them in base64.</summary>
    private static string Unreadable(string error, ReadOnlyMemory<byte> arguments)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(output, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("$error", Texts.Cut(error));
            writer.WriteNumber("$length", arguments.Length);
            writer.WritePropertyName("$base64");
            JsonPrimitives.WriteBytes(writer, arguments.Span);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
