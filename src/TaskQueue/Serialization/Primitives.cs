using System.ComponentModel;
using System.Buffers;
using System.Globalization;
using MessagePack;

namespace TaskQueue.Serialization;

/// <summary>
/// MessagePack encodings of the value types that MessagePack has no native form for. Generated
/// argument and result code calls these; they are public so that the encoding is one thing,
/// documented here, and not repeated in every generated file.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Primitives
{
    /// <summary>A <see cref="Guid"/> as 16 raw bytes.</summary>
    public static void WriteGuid(ref MessagePackWriter writer, Guid value)
    {
        // bin8 header (0xc4, length 16) and the 16 bytes, written in place.
        var span = writer.GetSpan(18);
        span[0] = 0xc4;
        span[1] = 16;
        value.TryWriteBytes(span[2..]);
        writer.Advance(18);
    }

    /// <summary>Reads what <see cref="WriteGuid"/> wrote.</summary>
    public static Guid ReadGuid(ref MessagePackReader reader)
    {
        var seq = reader.ReadBytes() ?? throw new MessagePackSerializationException("expected a Guid, found nil");
        if (seq.Length != 16) throw new MessagePackSerializationException($"expected 16 bytes for a Guid, found {seq.Length}");
        Span<byte> raw = stackalloc byte[16];
        seq.CopyTo(raw);
        return new Guid(raw);
    }

    /// <summary>A <see cref="decimal"/> as its invariant-culture text, which keeps every digit and the scale.</summary>
    public static void WriteDecimal(ref MessagePackWriter writer, decimal value)
        => writer.Write(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Reads what <see cref="WriteDecimal"/> wrote.</summary>
    public static decimal ReadDecimal(ref MessagePackReader reader)
    {
        var text = reader.ReadString() ?? throw new MessagePackSerializationException("expected a decimal, found nil");
        return decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
    }

    /// <summary>A <see cref="DateTime"/> as <see cref="DateTime.ToBinary"/> (ticks and kind).</summary>
    public static void WriteDateTime(ref MessagePackWriter writer, DateTime value) => writer.Write(value.ToBinary());

    /// <summary>Reads what <see cref="WriteDateTime"/> wrote.</summary>
    public static DateTime ReadDateTime(ref MessagePackReader reader) => DateTime.FromBinary(reader.ReadInt64());

    /// <summary>A <see cref="DateTimeOffset"/> as <c>[utcTicks, offsetMinutes]</c>.</summary>
    public static void WriteDateTimeOffset(ref MessagePackWriter writer, DateTimeOffset value)
    {
        writer.WriteArrayHeader(2);
        writer.Write(value.UtcTicks);
        writer.Write((short)value.TotalOffsetMinutes);
    }

    /// <summary>Reads what <see cref="WriteDateTimeOffset"/> wrote.</summary>
    public static DateTimeOffset ReadDateTimeOffset(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 2) throw new MessagePackSerializationException("expected [utcTicks, offsetMinutes] for a DateTimeOffset");
        long utcTicks = reader.ReadInt64();
        var offset = TimeSpan.FromMinutes(reader.ReadInt16());
        return new DateTimeOffset(utcTicks + offset.Ticks, offset);
    }

    /// <summary>A <see cref="TimeSpan"/> as its ticks.</summary>
    public static void WriteTimeSpan(ref MessagePackWriter writer, TimeSpan value) => writer.Write(value.Ticks);

    /// <summary>Reads what <see cref="WriteTimeSpan"/> wrote.</summary>
    public static TimeSpan ReadTimeSpan(ref MessagePackReader reader) => new(reader.ReadInt64());

    /// <summary>A byte array as MessagePack binary, or nil.</summary>
    public static void WriteBytes(ref MessagePackWriter writer, byte[]? value)
    {
        if (value is null) writer.WriteNil();
        else writer.Write(value.AsSpan());
    }

    /// <summary>Reads what <see cref="WriteBytes"/> wrote.</summary>
    public static byte[]? ReadBytes(ref MessagePackReader reader)
        => reader.TryReadNil() ? null : (reader.ReadBytes() ?? throw new MessagePackSerializationException("expected binary")).ToArray();

    /// <summary>A <see cref="Messages.TaskError"/> (an error step's first argument) as <c>[type, message, stackTrace, taskName, retriesLeft]</c>, or nil.</summary>
    public static void WriteTaskError(ref MessagePackWriter writer, Messages.TaskError? value)
    {
        if (value is null) writer.WriteNil();
        else Messages.TaskErrorCodec.Write(ref writer, value);
    }

    /// <summary>Reads what <see cref="WriteTaskError"/> wrote.</summary>
    public static Messages.TaskError? ReadTaskError(ref MessagePackReader reader)
        => reader.TryReadNil() ? null : Messages.TaskErrorCodec.Read(ref reader);

    /// <summary>Reads a string that must not be nil (a non-nullable <see cref="string"/>).</summary>
    public static string ReadRequiredString(ref MessagePackReader reader)
        => reader.ReadString() ?? throw new MessagePackSerializationException("expected a string, found nil");

    /// <summary>
    /// Reads a MessagePack array header, failing clearly when the next value is something else.
    /// </summary>
    public static int ReadArrayHeader(ref MessagePackReader reader, string what)
    {
        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            throw new MessagePackSerializationException($"expected an array for {what}, found {reader.NextMessagePackType}");
        }
        return reader.ReadArrayHeader();
    }

    /// <summary>
    /// How deep arrays and maps may nest in one value: 500, as in MessagePack's own <c>UntrustedData</c> mode.
    /// The decoder of a recursive type (a node that holds nodes) calls itself once per level, so without a
    /// limit a payload of a few hundred kilobytes nested 100,000 deep overflows the stack, which no
    /// <c>catch</c> survives: the worker process dies, and the next worker that takes the message too.
    /// </summary>
    public const int MaxDepth = 500;

    /// <summary>
    /// How many elements a collection is created with room for at most, whatever its header claims.
    /// MessagePack refuses a count larger than the bytes left (an element takes at least one), but that
    /// still lets 64 MB of junk behind a map header claim 32 million entries, and room for them is 896 MB
    /// before the first key fails to decode. Beyond this count a collection grows as elements arrive, so
    /// memory follows the data that decodes, not the claim.
    /// </summary>
    public const int MaxPresizedCount = 1024;

    /// <summary>
    /// Reads the header of an array that <paramref name="what"/> travels as and enters it, one level deeper
    /// (see <see cref="MaxDepth"/>); call <see cref="Leave"/> once its elements are read.
    /// </summary>
    /// <exception cref="MessagePackSerializationException">The next value is not an array, or nests too deep.</exception>
    public static int EnterArray(ref MessagePackReader reader, string what)
    {
        int count = ReadArrayHeader(ref reader, what);
        Enter(ref reader);
        return count;
    }

    /// <summary>As <see cref="EnterArray"/>, for a map.</summary>
    public static int EnterMap(ref MessagePackReader reader, string what)
    {
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw new MessagePackSerializationException($"expected a map for {what}, found {reader.NextMessagePackType}");
        }
        int count = reader.ReadMapHeader();
        Enter(ref reader);
        return count;
    }

    /// <summary>Leaves the array or map that <see cref="EnterArray"/> or <see cref="EnterMap"/> entered.</summary>
    public static void Leave(ref MessagePackReader reader) => reader.Depth--;

    private static void Enter(ref MessagePackReader reader)
    {
        if (++reader.Depth > MaxDepth)
        {
            throw new MessagePackSerializationException($"the value is nested more than {MaxDepth} levels deep");
        }
    }

    /// <summary>The room to create a collection with for <paramref name="count"/> elements: at most <see cref="MaxPresizedCount"/>.</summary>
    public static int Capacity(int count) => Math.Min(count, MaxPresizedCount);

    /// <summary>Doubles <paramref name="array"/>, which is full, up to <paramref name="count"/> elements.</summary>
    public static void Grow<T>(ref T[] array, int count) => Array.Resize(ref array, (int)Math.Min(count, Math.Max(2L * array.Length, 4)));

    /// <summary>
    /// Whether <paramref name="error"/> says that bytes do not decode, rather than that something else went
    /// wrong: MessagePack throws <see cref="MessagePackSerializationException"/> for a code of the wrong type,
    /// <see cref="EndOfStreamException"/> for a value cut short, <see cref="OverflowException"/> for an
    /// integer too large for its type and <see cref="ArgumentOutOfRangeException"/> for a length over 2 GB;
    /// constructors throw <see cref="ArgumentException"/> (ticks out of range), parsers
    /// <see cref="FormatException"/>.
    /// </summary>
    internal static bool IsDecodeError(Exception error) => error is MessagePackSerializationException or EndOfStreamException
        or OverflowException or InvalidOperationException or ArgumentException or FormatException;

    /// <summary>The error for an argument that is missing from a payload and has no default value.</summary>
    public static TaskPayloadException MissingArgument(string taskName, string parameter, int position)
        => new($"task '{taskName}': the payload has no value for argument '{parameter}' (position {position}) and the parameter has no default");

    /// <summary>The error for an argument whose encoded value does not fit the parameter's type.</summary>
    public static TaskPayloadException BadArgument(string taskName, string parameter, string type, Exception error)
        => new($"task '{taskName}': argument '{parameter}' does not decode as {type}: {error.Message}", error);

    /// <summary>The error for a payload that is not an argument array at all.</summary>
    public static TaskPayloadException BadArguments(string taskName, Exception error)
        => new($"task '{taskName}': the arguments do not decode: {error.Message}", error);
}
