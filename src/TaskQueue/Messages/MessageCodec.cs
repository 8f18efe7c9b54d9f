using System.ComponentModel;
using MessagePack;
using TaskQueue.Serialization;

namespace TaskQueue.Messages;

/// <summary>
/// Encodes and decodes <see cref="TaskMessage"/>.
/// </summary>
/// <remarks>
/// The envelope is a MessagePack array: <c>[version, id, name, arguments, retries, retryDelayMs,
/// etaUnixMs, createdAtUnixMs, userdataJson, recurringId, exclusive, traceparent, tracestate,
/// expiresUnixMs, timeoutMs, backoff, deduplicationKey, flow]</c>.
/// Fields are positional (no names travel, which keeps a queued no-op task well under 100 bytes)
/// and trailing fields at their defaults are left off. Old messages stay readable because fields
/// are only ever appended: a reader treats a missing trailing field as its default and skips
/// fields it does not know. Version 2 added the trace context; a version 1 message (written before)
/// reads as one without it. Version 3 added expiry, timeout, backoff, deduplication key and flow; a
/// message that uses none of them is still written as version 2. A version this build does not know is rejected with a clear error.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MessageCodec
{
    /// <summary>The envelope layout this code writes.</summary>
    public const int Version = 3;

    /// <summary>The oldest envelope layout this code reads.</summary>
    public const int OldestReadableVersion = 1;

    /// <summary>Encodes a message.</summary>
    public static byte[] Encode(TaskMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return PayloadBuffer.Encode(message, Write);
    }

    private static void Write(ref MessagePackWriter w, TaskMessage m)
    {
        int count = !m.Flow.IsEmpty ? 18
            : m.DeduplicationKey is not null ? 17
            : m.Backoff is not null ? 16
            : m.Timeout != TimeSpan.Zero ? 15
            : m.Expires is not null ? 14
            : m.TraceState is not null ? 13
            : m.TraceParent is not null ? 12
            : m.Exclusive ? 11
            : m.RecurringId is not null ? 10
            : m.UserData is not null ? 9
            : m.CreatedAt is not null ? 8
            : m.Eta is not null ? 7
            : m.RetryDelay != TimeSpan.Zero ? 6
            : m.Retries != 0 ? 5
            : 4;
        w.WriteArrayHeader(count);
        // A message that needs none of version 3's fields says version 2, so workers of the previous
        // release still run it; one that needs them must not run where they would be ignored.
        w.Write(count > 13 ? Version : 2);
        WriteId(ref w, m.Id);
        w.Write(m.Name);
        if (m.Arguments.IsEmpty)
        {
            w.WriteArrayHeader(0);
        }
        else
        {
            w.WriteRaw(m.Arguments.Span);
        }
        if (count > 4) w.Write(m.Retries);
        if (count > 5) w.Write((long)m.RetryDelay.TotalMilliseconds);
        if (count > 6) WriteTime(ref w, m.Eta);
        if (count > 7) WriteTime(ref w, m.CreatedAt);
        if (count > 8) WriteText(ref w, m.UserData);
        if (count > 9) WriteText(ref w, m.RecurringId);
        if (count > 10) w.Write(m.Exclusive);
        if (count > 11) WriteTraceParent(ref w, m.TraceParent);
        if (count > 12) WriteText(ref w, m.TraceState);
        if (count > 13) WriteTime(ref w, m.Expires);
        if (count > 14) w.Write((long)m.Timeout.TotalMilliseconds);
        if (count > 15) RetryBackoff.Write(ref w, m.Backoff);
        if (count > 16) WriteText(ref w, m.DeduplicationKey);
        if (count > 17)
        {
            if (m.Flow.IsEmpty) w.WriteNil();
            else w.Write(m.Flow.Span);
        }
    }

    /// <summary>Decodes a message.</summary>
    /// <exception cref="TaskPayloadException">The bytes are not a task message.</exception>
    public static TaskMessage Decode(ReadOnlyMemory<byte> bytes) => Decode(bytes, names: null);

    /// <summary>Decodes a message, taking the task name's string from <paramref name="names"/> when it holds the task (no copy).</summary>
    internal static TaskMessage Decode(ReadOnlyMemory<byte> bytes, TaskCatalog? names)
    {
        try
        {
            var r = new MessagePackReader(bytes);
            if (r.NextMessagePackType != MessagePackType.Array)
            {
                throw new TaskPayloadException($"the message is not a MessagePack array (it starts with {r.NextMessagePackType})");
            }
            int count = r.ReadArrayHeader();
            if (count < 4)
            {
                throw new TaskPayloadException($"the message has {count} fields; at least 4 are required");
            }
            int version = r.ReadInt32();
            if (version is < OldestReadableVersion or > Version)
            {
                throw new TaskPayloadException($"message version {version} is not supported (this build reads versions {OldestReadableVersion} to {Version})");
            }
            string id = ReadId(ref r);
            string name = ReadName(ref r, names) ?? throw new TaskPayloadException("the message has no task name");
            var argsStart = r.Consumed;
            r.Skip();
            var arguments = bytes.Slice((int)argsStart, (int)(r.Consumed - argsStart));
            int retries = count > 4 ? r.ReadInt32() : 0;
            var retryDelay = count > 5 ? TimeSpan.FromMilliseconds(r.ReadInt64()) : TimeSpan.Zero;
            var eta = count > 6 ? ReadTime(ref r) : null;
            var createdAt = count > 7 ? ReadTime(ref r) : null;
            string? userData = count > 8 ? ReadText(ref r) : null;
            string? recurringId = count > 9 ? ReadText(ref r) : null;
            bool exclusive = count > 10 && r.ReadBoolean();
            string? traceParent = count > 11 ? ReadTraceParent(ref r) : null;
            string? traceState = count > 12 ? ReadText(ref r) : null;
            // Fields after the trace context mean what version 3 says only in a version 3 message.
            int v3 = version >= 3 ? count : 13;
            var expires = v3 > 13 ? ReadTime(ref r) : null;
            var timeout = v3 > 14 ? TimeSpan.FromMilliseconds(r.ReadInt64()) : TimeSpan.Zero;
            if (timeout < TimeSpan.Zero) throw new TaskPayloadException($"the message's timeout is negative ({timeout})");
            var backoff = v3 > 15 ? RetryBackoff.Read(ref r) : null;
            string? deduplicationKey = v3 > 16 ? ReadText(ref r) : null;
            ReadOnlyMemory<byte> flow = default;
            if (v3 > 17 && !r.TryReadNil())
            {
                // The flow stays encoded, a slice of the message: only a run that ends reads it.
                var seq = r.ReadBytes() ?? default;
                if (!seq.IsSingleSegment) throw new TaskPayloadException("the message's flow is not contiguous");
                flow = bytes.Slice((int)(r.Consumed - seq.Length), (int)seq.Length);
            }
            for (int i = Math.Min(count, version >= 3 ? 18 : 13); i < count; i++) r.Skip();
            return new TaskMessage
            {
                Id = id,
                Name = name,
                Arguments = arguments,
                Retries = retries,
                RetryDelay = retryDelay,
                Eta = eta,
                CreatedAt = createdAt,
                UserData = userData,
                RecurringId = recurringId,
                Exclusive = exclusive,
                TraceParent = traceParent,
                TraceState = traceState,
                Expires = expires,
                Timeout = timeout,
                Backoff = backoff,
                DeduplicationKey = deduplicationKey,
                Flow = flow,
            };
        }
        catch (Exception e) when (Primitives.IsDecodeError(e))
        {
            // Any field out of range (an eta past year 9999, a retry delay of 2^63 ms) is a bad message
            // like any other, not an error of the consumer: it goes to dead letters with the reason.
            throw new TaskPayloadException($"the message does not decode: {e.Message}", e);
        }
    }

    /// <summary>Reads only the id of an encoded message, or null when it does not decode.</summary>
    public static string? TryReadId(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var r = new MessagePackReader(bytes);
            if (r.NextMessagePackType != MessagePackType.Array || r.ReadArrayHeader() < 4) return null;
            r.Skip();
            return ReadId(ref r);
        }
        catch (Exception e) when (Primitives.IsDecodeError(e))
        {
            return null;
        }
    }

    private static void WriteId(ref MessagePackWriter w, string id)
    {
        // A generated id is 32 hex digits: as 16 raw bytes it costs 18 bytes instead of 34.
        if (id.Length == 32 && IsLowerHex(id))
        {
            var span = w.GetSpan(18);
            span[0] = 0xc4; // bin8 of length 16
            span[1] = 16;
            Convert.FromHexString(id, span.Slice(2, 16), out _, out _);
            w.Advance(18);
        }
        else
        {
            w.Write(id);
        }
    }

    private static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        }
        return true;
    }

    private static string ReadId(ref MessagePackReader r)
    {
        if (r.NextMessagePackType == MessagePackType.Binary)
        {
            var seq = r.ReadBytes() ?? throw new TaskPayloadException("the message id is nil");
            if (seq.Length is 0 or > 64) throw new TaskPayloadException($"the message id has {seq.Length} bytes; expected 1 to 64");
            Span<byte> raw = stackalloc byte[(int)seq.Length];
            System.Buffers.BuffersExtensions.CopyTo(seq, raw);
            return Convert.ToHexStringLower(raw);
        }
        return r.ReadString() ?? throw new TaskPayloadException("the message id is nil");
    }

    // A version-00 traceparent ("00-<32 hex trace id>-<16 hex span id>-<2 hex flags>", 55 characters)
    // travels as 25 raw bytes; anything else as the text it is.
    private static void WriteTraceParent(ref MessagePackWriter w, string? traceParent)
    {
        if (traceParent is { Length: 55 } t && t.StartsWith("00-", StringComparison.Ordinal) && t[35] == '-' && t[52] == '-'
            && IsLowerHex(t.AsSpan(3, 32)) && IsLowerHex(t.AsSpan(36, 16)) && IsLowerHex(t.AsSpan(53, 2)))
        {
            var span = w.GetSpan(27);
            span[0] = 0xc4; // bin8 of length 25
            span[1] = 25;
            var raw = span.Slice(2, 25);
            Convert.FromHexString(t.AsSpan(3, 32), raw[..16], out _, out _);
            Convert.FromHexString(t.AsSpan(36, 16), raw.Slice(16, 8), out _, out _);
            Convert.FromHexString(t.AsSpan(53, 2), raw.Slice(24, 1), out _, out _);
            w.Advance(27);
        }
        else
        {
            WriteText(ref w, traceParent);
        }
    }

    private static string? ReadTraceParent(ref MessagePackReader r)
    {
        if (r.NextMessagePackType != MessagePackType.Binary) return ReadText(ref r);
        var seq = r.ReadBytes() ?? throw new TaskPayloadException("the trace context is nil");
        if (seq.Length != 25) throw new TaskPayloadException($"the trace context has {seq.Length} bytes; expected 25");
        Span<byte> raw = stackalloc byte[25];
        System.Buffers.BuffersExtensions.CopyTo(seq, raw);
        return string.Concat("00-", Convert.ToHexStringLower(raw[..16]), "-", Convert.ToHexStringLower(raw.Slice(16, 8)), "-", Convert.ToHexStringLower(raw.Slice(24, 1)));
    }

    private static string? ReadName(ref MessagePackReader r, TaskCatalog? names)
    {
        if (names is not null && r.TryReadStringSpan(out var utf8))
        {
            return names.FindName(utf8) ?? System.Text.Encoding.UTF8.GetString(utf8);
        }
        return r.ReadString();
    }

    internal static void WriteText(ref MessagePackWriter w, string? text)
    {
        if (text is null) w.WriteNil();
        else w.Write(text);
    }

    internal static string? ReadText(ref MessagePackReader r) => r.TryReadNil() ? null : r.ReadString();

    internal static void WriteTime(ref MessagePackWriter w, DateTimeOffset? time)
    {
        if (time is null) w.WriteNil();
        else w.Write(time.Value.ToUnixTimeMilliseconds());
    }

    internal static DateTimeOffset? ReadTime(ref MessagePackReader r)
        => r.TryReadNil() ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.ReadInt64());
}
