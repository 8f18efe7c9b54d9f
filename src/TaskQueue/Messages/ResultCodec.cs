using System.ComponentModel;
using MessagePack;
using TaskQueue.Serialization;

namespace TaskQueue.Messages;

/// <summary>A stored result: a value, or the error the task ended with.</summary>
public readonly record struct StoredResult(bool IsError, ReadOnlyMemory<byte> Value, TaskError? Error);

/// <summary>What a failed task left behind.</summary>
public sealed record TaskError(string Type, string Message, string? StackTrace, string? TaskName)
{
    /// <summary>How many retries the task had left when it failed (huey's <c>metadata['retries']</c>): 0 for a task that failed for good.</summary>
    public int RetriesLeft { get; init; }
}

/// <summary>
/// Encodes stored results: <c>[0, value]</c> for a value (MessagePack nil for "none"), and
/// <c>[1, type, message, stackTrace, taskName, retriesLeft]</c> for an error (errors stored before
/// the retries count was added have five fields and read as 0 retries left).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ResultCodec
{
    private static readonly byte[] NoneBytes = EncodeValue(new byte[] { 0xc0 });

    /// <summary>The stored form of a task that returned nothing.</summary>
    public static ReadOnlyMemory<byte> None => NoneBytes;

    /// <summary>Wraps an encoded value.</summary>
    public static byte[] EncodeValue(ReadOnlyMemory<byte> value)
    {
        var bytes = new byte[value.Length + 2];
        bytes[0] = 0x92; // fixarray of 2
        bytes[1] = 0x00; // positive fixint 0: a value
        value.Span.CopyTo(bytes.AsSpan(2));
        return bytes;
    }

    /// <summary>Encodes an error.</summary>
    public static byte[] EncodeError(TaskError error) => PayloadBuffer.Encode(error, static (ref MessagePackWriter w, TaskError e) =>
    {
        w.WriteArrayHeader(6);
        w.Write(1);
        w.Write(e.Type);
        w.Write(e.Message);
        w.Write(e.StackTrace);
        w.Write(e.TaskName);
        w.Write(e.RetriesLeft);
    });

    /// <summary>Decodes a stored result.</summary>
    /// <exception cref="TaskPayloadException">The bytes are not a stored result.</exception>
    public static StoredResult Decode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var r = new MessagePackReader(bytes);
            int count = Primitives.ReadArrayHeader(ref r, "a stored result");
            int kind = r.ReadInt32();
            if (kind == 0 && count >= 2)
            {
                var start = (int)r.Consumed;
                r.Skip();
                return new StoredResult(false, bytes.Slice(start, (int)r.Consumed - start), null);
            }
            if (kind == 1 && count >= 5)
            {
                var error = new TaskError(r.ReadString() ?? "", r.ReadString() ?? "", r.ReadString(), r.ReadString())
                {
                    RetriesLeft = count >= 6 ? r.ReadInt32() : 0,
                };
                return new StoredResult(true, default, error);
            }
            throw new TaskPayloadException($"a stored result has kind {kind} and {count} fields, which this build does not read");
        }
        catch (Exception e) when (Primitives.IsDecodeError(e))
        {
            throw new TaskPayloadException($"a stored result does not decode: {e.Message}", e);
        }
    }
}
