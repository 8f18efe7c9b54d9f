using System.ComponentModel;
using System.Buffers;
using MessagePack;

namespace TaskQueue.Serialization;

/// <summary>
/// A per-thread reusable buffer for encoding payloads, so an enqueue allocates only the final array.
/// Generated code uses it as: <c>var buffer = PayloadBuffer.Rent(); var w = new MessagePackWriter(buffer);
/// ...; w.Flush(); return PayloadBuffer.ToArrayAndReturn(buffer);</c>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PayloadBuffer
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? cached;

    /// <summary>Takes the calling thread's buffer (or a new one when it is in use), empty.</summary>
    public static ArrayBufferWriter<byte> Rent()
    {
        var buffer = cached;
        if (buffer is null)
        {
            return new ArrayBufferWriter<byte>(256);
        }
        cached = null;
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>Copies the written bytes out and gives the buffer back to the thread.</summary>
    public static byte[] ToArrayAndReturn(ArrayBufferWriter<byte> buffer)
    {
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity <= 64 * 1024)
        {
            cached = buffer;
        }
        return bytes;
    }

    /// <summary>Encodes with <paramref name="write"/> into a new array.</summary>
    public static byte[] Encode<TState>(TState state, WriteAction<TState> write)
    {
        var buffer = Rent();
        var writer = new MessagePackWriter(buffer);
        write(ref writer, state);
        writer.Flush();
        return ToArrayAndReturn(buffer);
    }

    /// <summary>Writes a value to a <see cref="MessagePackWriter"/>.</summary>
    public delegate void WriteAction<T>(ref MessagePackWriter writer, T value);
}
