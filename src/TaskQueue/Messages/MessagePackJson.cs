using System.Buffers;
using System.Globalization;
using System.Text.Json;
using MessagePack;
using TaskQueue.Serialization;

namespace TaskQueue.Messages;

/// <summary>
/// Writes MessagePack as JSON without knowing the types it encodes: the rendering of arguments that no
/// generated renderer reads (a task this process does not know, a dead letter from another build, a payload
/// that does not fit its task). Arrays become arrays, maps objects, nil <c>null</c>, integers and floats
/// numbers, strings strings; binary becomes base64 text, the timestamp extension ISO 8601 text, and any other
/// extension <c>{"$extension":code,"$base64":"..."}</c>. A user type shows as the array of its members, since
/// member names do not travel. Map keys that are not strings are written as their text (<c>"1"</c>,
/// <c>"true"</c>, <c>"null"</c>), or as <c>"$array"</c>, <c>"$map"</c>, <c>"$binary"</c> or <c>"$extension"</c>.
/// </summary>
internal static class MessagePackJson
{
    /// <summary>The mark written instead of an array or map nested deeper than <see cref="Primitives.MaxDepth"/>.</summary>
    public const string TooDeep = "$nested too deep";

    /// <summary>
    /// Writes <c>{"$arguments":[...]}</c>, with <c>"$error"</c> first when <paramref name="error"/> says why
    /// the task's own renderer could not read them.
    /// </summary>
    /// <exception cref="MessagePackSerializationException">The arguments are not a MessagePack array.</exception>
    /// <exception cref="EndOfStreamException">The arguments end inside a value.</exception>
    public static void WriteArguments(ReadOnlyMemory<byte> arguments, Utf8JsonWriter writer, string? error)
    {
        var reader = new MessagePackReader(arguments);
        if (reader.End) throw new MessagePackSerializationException("the arguments are empty");
        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            throw new MessagePackSerializationException($"the arguments are not a MessagePack array but {Describe(reader.NextMessagePackType, reader.NextCode)}");
        }
        writer.WriteStartObject();
        if (error is not null) writer.WriteString("$error", Texts.Cut(error));
        writer.WritePropertyName("$arguments");
        WriteValue(ref reader, writer, depth: 0);
        writer.WriteEndObject();
    }

    /// <summary>One MessagePack value (a task's result) as JSON text, rendered as <see cref="WriteArguments"/> renders each argument.</summary>
    /// <exception cref="MessagePackSerializationException">The bytes are no MessagePack value.</exception>
    /// <exception cref="EndOfStreamException">The bytes end inside a value.</exception>
    public static string ToJson(ReadOnlyMemory<byte> value)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var reader = new MessagePackReader(value);
            WriteValue(ref reader, writer, depth: 0);
        }
        return System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
    }

    // One call per level of nesting, MaxDepth at most: deeper arrays and maps are skipped, which MessagePack
    // does in a loop, without a call per level.
    private static void WriteValue(ref MessagePackReader reader, Utf8JsonWriter writer, int depth)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                writer.WriteNullValue();
                break;
            case MessagePackType.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64) writer.WriteNumberValue(reader.ReadUInt64());
                else writer.WriteNumberValue(reader.ReadInt64());
                break;
            case MessagePackType.Float:
                if (reader.NextCode == MessagePackCode.Float32) JsonPrimitives.WriteNumber(writer, reader.ReadSingle());
                else JsonPrimitives.WriteNumber(writer, reader.ReadDouble());
                break;
            case MessagePackType.String:
                JsonPrimitives.WriteString(writer, reader.ReadString());
                break;
            case MessagePackType.Binary:
                WriteBytes(writer, reader.ReadBytes()!.Value);
                break;
            case MessagePackType.Extension:
                WriteExtension(ref reader, writer);
                break;
            case MessagePackType.Array when depth > Primitives.MaxDepth:
            case MessagePackType.Map when depth > Primitives.MaxDepth:
                reader.Skip();
                writer.WriteStringValue(TooDeep);
                break;
            case MessagePackType.Array:
                int length = reader.ReadArrayHeader();
                writer.WriteStartArray();
                for (int i = 0; i < length; i++) WriteValue(ref reader, writer, depth + 1);
                writer.WriteEndArray();
                break;
            case MessagePackType.Map:
                int count = reader.ReadMapHeader();
                writer.WriteStartObject();
                for (int i = 0; i < count; i++)
                {
                    WriteKey(ref reader, writer);
                    WriteValue(ref reader, writer, depth + 1);
                }
                writer.WriteEndObject();
                break;
            default:
                throw new MessagePackSerializationException($"0x{reader.NextCode:x2} is no MessagePack value");
        }
    }

    private static void WriteKey(ref MessagePackReader reader, Utf8JsonWriter writer)
    {
        var type = reader.NextMessagePackType;
        string name;
        switch (type)
        {
            case MessagePackType.String:
                name = reader.ReadString()!;
                break;
            case MessagePackType.Integer:
                name = reader.NextCode == MessagePackCode.UInt64
                    ? reader.ReadUInt64().ToString(CultureInfo.InvariantCulture)
                    : reader.ReadInt64().ToString(CultureInfo.InvariantCulture);
                break;
            case MessagePackType.Boolean:
                name = reader.ReadBoolean() ? "true" : "false";
                break;
            case MessagePackType.Nil:
                reader.ReadNil();
                name = "null";
                break;
            case MessagePackType.Float:
                name = reader.ReadDouble().ToString("R", CultureInfo.InvariantCulture);
                break;
            case MessagePackType.Unknown:
                throw new MessagePackSerializationException($"0x{reader.NextCode:x2} is no MessagePack value");
            default:
                reader.Skip();
                name = "$" + type.ToString().ToLowerInvariant();
                break;
        }
        JsonPrimitives.WritePropertyName(writer, name);
    }

    private static void WriteExtension(ref MessagePackReader reader, Utf8JsonWriter writer)
    {
        var header = reader.ReadExtensionFormatHeader();
        if (header.TypeCode == ReservedMessagePackExtensionTypeCode.DateTime)
        {
            writer.WriteStringValue(reader.ReadDateTime(header));
            return;
        }
        var data = reader.ReadRaw(header.Length);
        writer.WriteStartObject();
        writer.WriteNumber("$extension", header.TypeCode);
        writer.WritePropertyName("$base64");
        WriteBytes(writer, data);
        writer.WriteEndObject();
    }

    private static void WriteBytes(Utf8JsonWriter writer, ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsSingleSegment) JsonPrimitives.WriteBytes(writer, bytes.FirstSpan);
        else JsonPrimitives.WriteBytes(writer, bytes.ToArray());
    }

    private static string Describe(MessagePackType type, byte code)
        => type == MessagePackType.Unknown ? $"the code 0x{code:x2}" : "a value of type " + type;
}
